/**
 * Query parameters of `POST /v1/resize`, validated strictly: an unknown parameter, a
 * repeated one, or a value out of range is a 400 naming every problem at once.
 */
import { z } from 'zod';
import { fits, outputFormats, type Fit, type OutputFormat } from '../lib/jobs.ts';
import { BadParameterError } from './errors.ts';

export interface RequestedResize {
  width?: number;
  height?: number;
  fit: Fit;
  /** Absent: the input's format when it is an output format, else jpeg. */
  format?: OutputFormat;
  quality?: number;
}

const dim = (max: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, 'must be a whole number of pixels')
    .transform(Number)
    .pipe(z.number().max(max, `must be at most ${max} pixels`));

// Built once per limit: constructing a zod schema costs far more than using one.
const schemas = new Map<number, ReturnType<typeof buildSchema>>();

function buildSchema(maxDimension: number) {
  return z
    .strictObject({
      width: dim(maxDimension).optional(),
      height: dim(maxDimension).optional(),
      fit: z.enum(fits).default('cover'),
      format: z.enum(outputFormats).optional(),
      quality: z
        .string()
        .regex(/^[0-9]{1,3}$/, 'must be a whole number')
        .transform(Number)
        .pipe(z.number().min(1, 'must be 1 to 100').max(100, 'must be 1 to 100'))
        .optional(),
    })
    .refine((q) => q.width !== undefined || q.height !== undefined, { message: 'give width, height or both' });
}

export function parseResizeQuery(query: Record<string, unknown>, maxDimension: number): RequestedResize {
  let schema = schemas.get(maxDimension);
  if (!schema) schemas.set(maxDimension, (schema = buildSchema(maxDimension)));
  for (const [k, v] of Object.entries(query)) {
    if (typeof v !== 'string') throw new BadParameterError([`${k}: give it once, as a single value`]);
  }
  const r = schema.safeParse(query);
  if (!r.success) {
    throw new BadParameterError(
      r.error.issues.map((i) =>
        i.code === 'unrecognized_keys' ? `unknown parameter(s): ${i.keys.join(', ')}` : `${i.path.join('.') || 'query'}: ${i.message}`,
      ),
    );
  }
  return r.data;
}
