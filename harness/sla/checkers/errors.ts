/**
 * Error rate: failed (`fail` + `info`) over completed (ok + failed). Dropped requests are
 * left out here because they never reached the service; the `dropped` checker judges
 * them, and availability and the error budget count them as unavailable.
 */
import type { History } from '../../load/history.ts';
import { fmt, round } from '../format.ts';
import { failuresByKind, totals } from '../series.ts';
import type { ErrorsSla } from '../spec.ts';
import { holds } from '../threshold.ts';
import type { Checker, CheckResult } from '../types.ts';

/** Checks `rate` (failed / completed) or `count` (failed) of failed requests; unknown when nothing completed. */
export function errorsChecker(sla: ErrorsSla): Checker {
  const t = sla.threshold;
  const name = sla.label ?? (t.aggregation === 'count' ? 'failed requests' : 'error rate');
  const threshold = t.source;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const c = totals(history.seconds);
      if (c.scheduled === 0) return { ...base, valid: 'unknown', reason: 'no requests in the run' };
      if (c.completed === 0) {
        return { ...base, valid: 'unknown', reason: `all ${c.dropped} requests were dropped; none completed, so there is no error rate` };
      }
      const rate = c.failed / c.completed;
      const v = t.aggregation === 'count' ? c.failed : rate;
      const observed = { value: round(v), unit: t.aggregation === 'count' ? 'count' : 'ratio', failed: c.failed, completed: c.completed, rate: round(rate) };
      if (holds(t, v)) return { ...base, valid: true, observed };
      const top = Object.entries(failuresByKind(history.seconds))
        .slice(0, 3)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      return {
        ...base,
        valid: false,
        observed,
        reason: `${c.failed} of ${c.completed} completed requests failed (rate ${fmt(rate)}), bound ${t.source}${top ? `; top kinds: ${top}` : ''}`,
      };
    },
  };
}
