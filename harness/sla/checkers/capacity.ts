/**
 * The capacity checker: a ramp's capacity figures (harness/sla/capacity.ts) judged against
 * the scenario's capacity SLA. It passes when the rate sustained within the latency and
 * error bounds is at least `minShareOfPeak` of the most completed in any second, and the
 * ramp tipped over inside the run. A ramp that never tipped over found no capacity, and a
 * history that does not say the machine's cores cannot size a fleet: both `unknown`.
 */
import type { History } from '../../load/history.ts';
import { capacity } from '../capacity.ts';
import { fmt, pct } from '../format.ts';
import type { CapacitySla } from '../spec.ts';
import type { Checker, CheckResult } from '../types.ts';

export function capacityChecker(sla: CapacitySla): Checker {
  const name = sla.label ?? 'capacity: rate sustained within SLA';
  const threshold = `≥ ${pct(sla.minShareOfPeak)} of peak, ${sla.windowS} s at p(99)<${fmt(sla.p99Ms)} ms and errors ≤ ${pct(sla.maxErrorRate)}`;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const cores = history.machine?.cores;
      if (cores === undefined) return { ...base, valid: 'unknown', reason: "the history does not record the machine's cores, so no fleet can be sized" };
      const c = capacity(history, sla, cores);
      const observed = { ...c };
      if (c.peakRate === 0) return { ...base, valid: 'unknown', observed, reason: 'no request completed in this run' };
      if (c.sustainedRate === 0) {
        return { ...base, valid: false, observed, reason: `no ${sla.windowS} s in a row held the bounds; the most completed in a second was ${fmt(c.peakRate)}/s` };
      }
      if (c.tipOverOffered === null) {
        return { ...base, valid: 'unknown', observed, reason: `the ramp never broke the bounds (it offered at most ${fmt(c.maxOffered)}/s): capacity lies above it; raise the ramp's peak` };
      }
      const floor = sla.minShareOfPeak * c.peakRate;
      if (c.sustainedRate >= floor) return { ...base, valid: true, observed };
      return { ...base, valid: false, observed, reason: `sustained ${fmt(c.sustainedRate)}/s within bounds is below ${pct(sla.minShareOfPeak)} of the ${fmt(c.peakRate)}/s peak (${fmt(floor)}/s)` };
    },
  };
}
