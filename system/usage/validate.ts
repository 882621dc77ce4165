/**
 * The UsageBatch schema. Strict and bounded: a batch comes from another process over the
 * network, so an unknown field, a wrong type or an oversized string is refused rather
 * than written into the audit trail. A refused batch is logged, counted and dropped by
 * the consumer and never acked; it must never crash the service.
 */
import { z } from 'zod';
import { InvalidBatchError } from './errors.ts';
import type { UsageBatch } from './types.ts';

export const MAX_RECORDS_PER_BATCH = 10_000;
/** 10,000 records of well under 1 KiB each; larger payloads are refused before JSON.parse. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

const id = z.string().min(1).max(128);
// apiId becomes a topic segment (the ack goes to nines/api/<apiId>/usage-ack), so it must
// obey the same rule as MQTT usernames in topics.ts; a '/', '+' or '#' would aim the ack
// somewhere else.
const apiId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only, at most 64');
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const dimension = z.number().int().min(0).max(1_000_000);
const millis = z.number().finite().min(0).max(1e9);
const format = z.string().min(1).max(16);

/** usage -> api on `nines/api/<id>/usage-ack`. */
export const usageAckSchema = z.strictObject({ batchId: id });

export const usageRecordSchema = z.strictObject({
  requestId: id,
  tenantId: id,
  keyId: id,
  // Stored as UTC ISO strings and compared as text, which orders by time only for years 1970..9999.
  at: z.iso
    .datetime({ offset: true })
    .refine((v) => {
      const y = new Date(v).getUTCFullYear();
      return y >= 1970 && y <= 9999;
    }, 'must be in the years 1970 to 9999'),
  status: z.number().int().min(100).max(599),
  errorCode: z.string().min(1).max(64).optional(),
  inputBytes: count,
  outputBytes: count,
  inputFormat: format.optional(),
  outputFormat: format.optional(),
  inputWidth: dimension.optional(),
  inputHeight: dimension.optional(),
  outputWidth: dimension.optional(),
  outputHeight: dimension.optional(),
  cpuMs: millis,
  durationMs: millis,
});

export const usageBatchSchema = z.strictObject({
  batchId: id,
  apiId,
  records: z.array(usageRecordSchema).max(MAX_RECORDS_PER_BATCH),
}) satisfies z.ZodType<UsageBatch>;

/** Parses an MQTT payload into a UsageBatch; throws InvalidBatchError listing every problem. */
export function parseBatch(payload: Buffer): UsageBatch {
  if (payload.length > MAX_BATCH_BYTES) {
    throw new InvalidBatchError([`payload is ${payload.length} bytes, at most ${MAX_BATCH_BYTES}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (cause) {
    throw new InvalidBatchError(['payload is not JSON'], { cause });
  }
  const r = usageBatchSchema.safeParse(json);
  if (!r.success) {
    throw new InvalidBatchError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return r.data;
}
