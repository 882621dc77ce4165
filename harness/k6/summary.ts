/**
 * k6's end-of-test summary file (`k6 run --summary-export FILE`), decoded through a schema.
 * Its documented shape: `{ metrics: { <name>: { <stat>: number, …, thresholds?: { <expr>:
 * boolean } } }, root_group: {…} }`, with trend stats (avg, min, med, max, p(N)), counter
 * stats (count, rate), rate stats (passes, fails, value) and gauge stats (value, min, max).
 *
 * One documented trap: in this file a threshold's boolean is `true` when the threshold
 * FAILED (k6 issue #1498, documented in k6-docs #30, kept for compatibility). nines reads it
 * that way and reports k6's own threshold verdicts beside its checkers' (the checkers judge
 * the samples from `--out json`, harness/k6/points.ts; this file is only k6's view).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NinesError } from '../../system/lib/errors.ts';

export class K6SummaryError extends NinesError {
  constructor(file: string, detail: string) {
    super('ERR_K6_SUMMARY', 500, 'Unreadable k6 summary', `${file} is not a k6 --summary-export file: ${detail}`);
  }
}

const metric = z.record(z.string(), z.union([z.number(), z.record(z.string(), z.boolean())]));
const summarySchema = z.object({ metrics: z.record(z.string(), metric) });

export interface K6Threshold {
  metric: string;
  expression: string;
  ok: boolean;
}

export interface K6Summary {
  /** Every threshold with k6's verdict, the file's inverted boolean turned the right way round. */
  thresholds: K6Threshold[];
  /** Each metric's numeric stats, e.g. `http_req_duration['p(99)']`, `http_reqs.count`. */
  stats: Record<string, Record<string, number>>;
}

/** Decodes a summary-export document; K6SummaryError names what does not fit. */
export function parseK6Summary(json: unknown, file = 'summary'): K6Summary {
  const r = summarySchema.safeParse(json);
  if (!r.success) throw new K6SummaryError(file, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const thresholds: K6Threshold[] = [];
  const stats: Record<string, Record<string, number>> = {};
  for (const [name, entries] of Object.entries(r.data.metrics)) {
    stats[name] = {};
    for (const [key, v] of Object.entries(entries)) {
      if (typeof v === 'number') stats[name][key] = v;
      else if (key === 'thresholds') for (const [expression, failed] of Object.entries(v)) thresholds.push({ metric: name, expression, ok: !failed });
      else throw new K6SummaryError(file, `metrics.${name}.${key}: a map where k6 writes a number`);
    }
  }
  return { thresholds, stats };
}

/** Reads and decodes the summary file k6 wrote. */
export function readK6Summary(file: string): K6Summary {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new K6SummaryError(file, (err as Error).message);
  }
  return parseK6Summary(json, file);
}
