/**
 * The messages of the job queue, shared by api servers, brokers and workers, as zod schemas:
 * every one is decoded through its schema on arrival (system/lib/wire.ts `decodeFrame`), so a
 * malformed message becomes a typed refusal, never a half-read value. Each is the JSON header
 * of a wire frame; image bytes travel as the frame body.
 *
 * Jobs and replies travel in batches: the header lists the items, each with the `bytes` of
 * its body, and the bodies follow in the same order. A lone job is a batch of one, sent at
 * once; under load, what one sender produced within one turn of its event loop shares a frame
 * (system/lib/coalescer.ts), so the broker reads and writes one MQTT message for many jobs.
 *
 * One ack protocol: an `Ack` names a job and the epoch it was dispatched under. Whoever learns
 * first that the job's api server has its reply sends it — the broker itself when the reply
 * passes through it, the api server for a reply handed to it directly (the claim check), the
 * worker for a job with nobody left to answer — and the broker accepts it from the job's
 * worker or the job's api server only.
 */
import { z } from 'zod';

export const fits = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export type Fit = (typeof fits)[number];
export const outputFormats = ['jpeg', 'png', 'webp', 'avif'] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** Most items one frame carries; also bounds what a malformed header can make us allocate. */
export const MAX_BATCH = 256;

const id = z.string().min(1).max(128);
const epoch = z.number().int().min(0);
const bytes = z.number().int().min(0);

export const resizeParamsSchema = z.strictObject({
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  fit: z.enum(fits),
  format: z.enum(outputFormats),
  quality: z.number().int().min(1).max(100).optional(),
});
export type ResizeParams = z.infer<typeof resizeParamsSchema>;

/**
 * Where a worker fetches a large image (the claim check, system/api/blob-store.ts):
 * `GET url` with `Authorization: Bearer <token>`, valid while the job is pending.
 */
export const blobClaimSchema = z.strictObject({ url: z.url().max(2048), token: z.string().min(1).max(256), bytes });
export type BlobClaim = z.infer<typeof blobClaimSchema>;

const jobFields = {
  jobId: id,
  tenantId: id,
  /** The api server's instance id; replies go to `nines/api/<replyTo>/reply`. */
  replyTo: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  /** Unix ms after which nobody waits for the answer: the broker drops it, not dispatches it. */
  deadline: z.number().int().positive(),
  params: resizeParamsSchema,
  /** Set for images at or above the api's claim-check size: the job has no body. */
  blob: blobClaimSchema.optional(),
};

/** A job as the api server submits it. */
export const jobHeaderSchema = z.strictObject(jobFields);
export type JobHeader = z.infer<typeof jobHeaderSchema>;

export const ackSchema = z.strictObject({ jobId: id, epoch });
export type Ack = z.infer<typeof ackSchema>;
const acks = z.array(ackSchema).max(4 * MAX_BATCH);

/** api -> broker on `nines/jobs/submit`: jobs (bodies in order) and acks riding along. */
export const submissionSchema = z.strictObject({
  jobs: z.array(z.strictObject({ ...jobFields, bytes })).min(1).max(MAX_BATCH),
  acks: acks.optional(),
});
export type Submission = z.infer<typeof submissionSchema>;

/** api -> broker on `nines/jobs/acks`, worker -> broker inside a credit message. */
export const ackListSchema = z.strictObject({ acks });
export type AckList = z.infer<typeof ackListSchema>;

/** A job as a worker receives it: the dispatch's epoch and how often it was delivered. */
export type DispatchedJob = JobHeader & { attempt: number };

/** broker -> worker on `nines/workers/<id>/jobs`; bodies in order. */
export const dispatchSchema = z.strictObject({
  /** The broker's leadership epoch (Consul LockIndex); receivers drop older epochs. */
  epoch,
  jobs: z.array(z.strictObject({ ...jobFields, attempt: z.number().int().positive(), bytes })).min(1).max(MAX_BATCH),
});
export type Dispatch = z.infer<typeof dispatchSchema>;

/**
 * worker -> broker on `nines/workers/<id>/credit`: `grant` more jobs may be sent to it. With
 * `reset`, the worker holds nothing from this broker and `grant` is its whole credit (a new
 * connection); the broker takes back what it thought the worker held. Credit is the worker's
 * to give: with several shards it splits one credit between them and never holds more jobs in
 * total than that (system/worker/feed.ts).
 */
export const creditSchema = z.strictObject({
  grant: z.number().int().min(0).max(1024),
  reset: z.boolean().optional(),
  acks: acks.optional(),
});
export type Credit = z.infer<typeof creditSchema>;

const resultReply = z.strictObject({
  type: z.literal('result'),
  jobId: id,
  epoch,
  contentType: z.string().max(64),
  format: z.enum(outputFormats),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  cpuMs: z.number().min(0),
  bytes,
});
/** The worker could not produce an image; `code` says why (e.g. ERR_UNDECODABLE). */
const errorReply = z.strictObject({
  type: z.literal('error'),
  jobId: id,
  epoch,
  code: z.string().max(64),
  message: z.string().max(4096),
  cpuMs: z.number().min(0),
  bytes: z.literal(0),
});
export const rejectReasons = ['queue_full', 'no_workers', 'too_many_attempts'] as const;
/** The broker refused the job at once (queue full, no workers): the api answers 503. */
const rejectedReply = z.strictObject({
  type: z.literal('rejected'),
  jobId: id,
  epoch,
  reason: z.enum(rejectReasons),
  retryAfterS: z.number().int().min(0),
  bytes: z.literal(0),
});
export const replySchema = z.discriminatedUnion('type', [resultReply, errorReply, rejectedReply]);
/** One reply as it travels: `bytes` of body follow in the frame. */
export type WireReply = z.infer<typeof replySchema>;
/** One reply as services build and read it (the body travels beside it). */
export type ReplyHeader = DistributiveOmit<WireReply, 'bytes'>;
export type ResultReply = Extract<ReplyHeader, { type: 'result' }>;
export type ErrorReply = Extract<ReplyHeader, { type: 'error' }>;
export type RejectedReply = Extract<ReplyHeader, { type: 'rejected' }>;

/**
 * worker|broker -> api on `nines/api/<id>/reply` (or a worker's PUT on the blob port). From a
 * worker through the broker, it may carry the worker's credit and bare acks for the broker to
 * read as it passes (Credit's `grant` and `acks`): one message where a turn's replies and
 * credit would be two. The api server ignores them.
 */
export const replyBatchSchema = z.strictObject({
  replies: z.array(replySchema).min(1).max(MAX_BATCH),
  grant: z.number().int().min(1).max(1024).optional(),
  acks: acks.optional(),
});
export type ReplyBatch = z.infer<typeof replyBatchSchema>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
