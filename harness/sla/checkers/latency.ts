/** Latency over the whole run, from the merged HDR histogram of one size class, in ms. */
import type { History } from '../../load/history.ts';
import { fmt, round } from '../format.ts';
import { latencyAggregate, mergedLatency, sizeClasses, totals } from '../series.ts';
import type { LatencySla } from '../spec.ts';
import { aggregationLabel, holds } from '../threshold.ts';
import type { Checker, CheckResult } from '../types.ts';

/** Checks a latency threshold (avg, min, max, med, p(N) in ms) for one size class; unknown without samples. */
export function latencyChecker(sla: LatencySla): Checker {
  const t = sla.threshold;
  const name = sla.label ?? `latency ${aggregationLabel(t)} · ${sla.sizeClass}`;
  const threshold = `${t.source} ms`;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      if (totals(history.seconds).scheduled === 0) return { ...base, valid: 'unknown', reason: 'no requests in the run' };
      const h = mergedLatency(history.seconds, sla.sizeClass);
      if (!h) {
        const have = sizeClasses(history);
        return {
          ...base,
          valid: 'unknown',
          reason: `no latency samples for size class "${sla.sizeClass}" (classes with samples: ${have.join(', ') || 'none'})`,
        };
      }
      const v = latencyAggregate(h, t);
      const observed = { value: round(v), unit: 'ms', samples: h.totalCount };
      if (holds(t, v)) return { ...base, valid: true, observed };
      return { ...base, valid: false, observed, reason: `${aggregationLabel(t)} was ${fmt(v)} ms over ${h.totalCount} requests, bound ${t.source} ms` };
    },
  };
}
