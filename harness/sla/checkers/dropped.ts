/**
 * Dropped requests: ones the open-model engine could not send on schedule (k6's
 * `dropped_iterations`). `count` is the number; `rate` is their share of scheduled
 * requests (unlike a k6 counter's per-second rate, so it reads like the error rate).
 */
import type { History } from '../../load/history.ts';
import { fmt, round } from '../format.ts';
import { totals } from '../series.ts';
import type { DroppedSla } from '../spec.ts';
import { holds } from '../threshold.ts';
import type { Checker, CheckResult } from '../types.ts';

/** Checks the count, or share of scheduled requests, that were dropped; unknown when nothing was scheduled. */
export function droppedChecker(sla: DroppedSla): Checker {
  const t = sla.threshold;
  const name = sla.label ?? 'dropped requests';
  const threshold = t.source;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const c = totals(history.seconds);
      if (c.scheduled === 0) return { ...base, valid: 'unknown', reason: 'no requests in the run' };
      const rate = c.dropped / c.scheduled;
      const v = t.aggregation === 'count' ? c.dropped : rate;
      const observed = { value: round(v), unit: t.aggregation === 'count' ? 'count' : 'ratio', dropped: c.dropped, scheduled: c.scheduled };
      if (holds(t, v)) return { ...base, valid: true, observed };
      return {
        ...base,
        valid: false,
        observed,
        reason: `${c.dropped} of ${c.scheduled} scheduled requests could not be sent on time (${fmt(rate * 100)} %), bound ${t.source}`,
      };
    },
  };
}
