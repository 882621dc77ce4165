/**
 * SLAs as a scenario states them: plain data, validated with zod so that a bad spec fails
 * before the run with every problem listed at once. Thresholds are parsed here, so a
 * checker only ever sees a well-formed `Threshold`.
 *
 * Each entry picks a metric; `label` optionally names the row in the report.
 *   { metric: 'latency', sizeClass?: 'all', threshold: 'p(99)<500' }      ms, avg|min|max|med|p(N)
 *   { metric: 'errors', threshold: 'rate<0.001' }                          rate|count
 *   { metric: 'dropped', threshold: 'count<1' }                            count|rate
 *   { metric: 'availability', window: '10s', min: 0.999 }
 *   { metric: 'recovery', maxSeconds: 5, stableSeconds?: 3, minAvailability?: 0.99,
 *     latency?: { sizeClass?, threshold }, faults?: ['broker-crash'] }
 *   { metric: 'errorBudget', slo: 0.999, maxShare: 0.1 }
 *   { metric: 'measurement', name: 'failoverSeconds', threshold: 'value<5' }
 *   { metric: 'capacity', minShareOfPeak: 0.6, p99Ms?: 500, maxErrorRate?: 0.001, windowS?: 5,
 *     target?: 10000, headroom?: 0.2 }
 *   { metric: 'fencing' }
 */
import { z } from 'zod';
import { SlaSpecError } from './errors.ts';
import { parseThreshold, type Aggregation, type Threshold } from './threshold.ts';

const threshold = (allowed: readonly Aggregation[]) =>
  z.string().transform((s, ctx): Threshold => {
    let t: Threshold;
    try {
      t = parseThreshold(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
    if (!allowed.includes(t.aggregation)) {
      const names = allowed.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
      ctx.addIssue({ code: 'custom', message: `aggregation ${t.aggregation === 'p' ? 'p(N)' : t.aggregation} does not apply here; use one of ${names}` });
      return z.NEVER;
    }
    return t;
  });

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** A whole number of seconds, written `10s`, `1m`, `1m30s` or as a number of seconds. */
const seconds = z.union([z.number(), z.string()]).transform((v, ctx): number => {
  let s: number;
  if (typeof v === 'number') s = v;
  else {
    const m = DURATION.exec(v.trim());
    if (!m || v.trim() === '') {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; write e.g. 10s, 1m or 1m30s` });
      return z.NEVER;
    }
    s = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  }
  // The history has one bucket per second, so finer windows cannot be judged.
  if (!Number.isInteger(s) || s < 1) {
    ctx.addIssue({ code: 'custom', message: `window must be a whole number of seconds ≥ 1, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return s;
});

const share = z.number().gt(0).max(1);
const label = z.string().min(1).optional();
const sizeClass = z.string().min(1).default('all');

const latency = z.strictObject({
  metric: z.literal('latency'),
  label,
  sizeClass,
  threshold: threshold(['avg', 'min', 'max', 'med', 'p']),
});

const errors = z.strictObject({ metric: z.literal('errors'), label, threshold: threshold(['rate', 'count']) });
const dropped = z.strictObject({ metric: z.literal('dropped'), label, threshold: threshold(['count', 'rate']) });

const availability = z.strictObject({ metric: z.literal('availability'), label, window: seconds, min: share });

const recovery = z.strictObject({
  metric: z.literal('recovery'),
  label,
  maxSeconds: z.number().min(0),
  stableSeconds: z.number().int().min(1).default(3),
  minAvailability: share.default(0.99),
  latency: z.strictObject({ sizeClass, threshold: threshold(['avg', 'min', 'max', 'med', 'p']) }).optional(),
  faults: z.array(z.string().min(1)).min(1).optional(),
});

const errorBudget = z.strictObject({
  metric: z.literal('errorBudget'),
  label,
  slo: z.number().gt(0).lt(1),
  maxShare: z.number().min(0),
});

const measurement = z.strictObject({
  metric: z.literal('measurement'),
  label,
  name: z.string().min(1),
  threshold: threshold(['value']),
});

/**
 * A ramp's capacity: the rate held `windowS` seconds in a row within `p99Ms` and
 * `maxErrorRate` must be at least `minShareOfPeak` of the most the stack completed in any
 * second (a stack whose latency breaks long before its throughput peaks queues instead of
 * serving), and the ramp must tip over inside the run, or capacity was not found (unknown).
 */
const capacity = z.strictObject({
  metric: z.literal('capacity'),
  label,
  minShareOfPeak: share,
  p99Ms: z.number().positive().default(500),
  maxErrorRate: z.number().min(0).max(1).default(0.001),
  windowS: z.number().int().min(1).default(5),
  target: z.number().positive().default(10_000),
  headroom: z.number().min(0).default(0.2),
});

/** No two brokers of a queue shard dispatched under overlapping epochs (the brokers' dispatch logs). */
const fencing = z.strictObject({ metric: z.literal('fencing'), label });

const sla = z.discriminatedUnion('metric', [latency, errors, dropped, availability, recovery, errorBudget, measurement, capacity, fencing]);
const slas = z.array(sla).min(1, 'state at least one SLA');

/** One SLA as a scenario writes it. */
export type SlaSpec = z.input<typeof sla>;
/** One SLA after validation: defaults filled in, thresholds parsed, windows in seconds. */
export type Sla = z.output<typeof sla>;
export type LatencySla = z.output<typeof latency>;
export type ErrorsSla = z.output<typeof errors>;
export type DroppedSla = z.output<typeof dropped>;
export type AvailabilitySla = z.output<typeof availability>;
export type RecoverySla = z.output<typeof recovery>;
export type ErrorBudgetSla = z.output<typeof errorBudget>;
export type MeasurementSla = z.output<typeof measurement>;
export type CapacitySla = z.output<typeof capacity>;
export type FencingSla = z.output<typeof fencing>;

/** Validates a scenario's SLA list; throws SlaSpecError naming every problem (path: message). */
export function parseSlas(input: unknown): Sla[] {
  const r = slas.safeParse(input);
  if (!r.success) {
    throw new SlaSpecError(r.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`));
  }
  return r.data;
}

const issuePath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : `${acc}.${String(k)}`), 'slas');
