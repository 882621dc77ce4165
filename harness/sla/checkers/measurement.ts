/** A figure a scenario's probe recorded in `history.measurements`, e.g. failover seconds. */
import type { History } from '../../load/history.ts';
import { fmt } from '../format.ts';
import type { MeasurementSla } from '../spec.ts';
import { holds } from '../threshold.ts';
import type { Checker, CheckResult } from '../types.ts';

/** Checks `value<op>n` against `history.measurements[name]`; unknown when the probe recorded nothing usable. */
export function measurementChecker(sla: MeasurementSla): Checker {
  const t = sla.threshold;
  const name = sla.label ?? sla.name;
  const threshold = t.source;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const m = history.measurements ?? {};
      if (!Object.hasOwn(m, sla.name)) {
        const have = Object.keys(m);
        return { ...base, valid: 'unknown', reason: `measurement "${sla.name}" was not recorded (recorded: ${have.join(', ') || 'none'})` };
      }
      const v = m[sla.name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return { ...base, valid: 'unknown', reason: `measurement "${sla.name}" is not a finite number: ${String(v)}` };
      }
      if (holds(t, v)) return { ...base, valid: true, observed: v };
      return { ...base, valid: false, observed: v, reason: `${sla.name} was ${fmt(v)}, bound ${t.source}` };
    },
  };
}
