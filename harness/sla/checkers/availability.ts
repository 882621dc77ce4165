/**
 * Availability per window: ok / scheduled, where scheduled = ok + failed + dropped and a 4xx
 * answer counts as ok (slo-counts.ts: the SLO's definition). A
 * dropped request counts as unavailable: the client wanted it served on time and it was
 * not, whatever the reason (in an open model, drops are how an overloaded service shows).
 *
 * Windows slide by one second (every W-second span of the run), not tumble: a tumbling
 * grid lets an outage that straddles a boundary hide as two half-outages, each under the
 * bound. The worst window must reach `min`. A window with no traffic cannot be judged:
 * the verdict is `unknown` unless another window already fails.
 */
import type { History } from '../../load/history.ts';
import { pct, round } from '../format.ts';
import { denseSeconds } from '../series.ts';
import { sloCounts } from '../slo-counts.ts';
import type { AvailabilitySla } from '../spec.ts';
import type { Checker, CheckResult } from '../types.ts';

export interface WindowAvailability {
  /** First second of the window; the window is [startS, startS + W). */
  startS: number;
  ok: number;
  scheduled: number;
  /** null when the window had no traffic. */
  availability: number | null;
}

/** Availability of every W-second window sliding by one second; empty when the run is shorter than W. */
export function slidingAvailability(history: History, windowS: number): WindowAvailability[] {
  const secs = denseSeconds(history).map(sloCounts); // 4xx are the client's: good
  const out: WindowAvailability[] = [];
  let ok = 0;
  let scheduled = 0;
  for (let t = 0; t < secs.length; t++) {
    ok += secs[t]!.ok;
    scheduled += secs[t]!.scheduled;
    if (t >= windowS) {
      ok -= secs[t - windowS]!.ok;
      scheduled -= secs[t - windowS]!.scheduled;
    }
    if (t >= windowS - 1) {
      out.push({ startS: t - windowS + 1, ok, scheduled, availability: scheduled === 0 ? null : ok / scheduled });
    }
  }
  return out;
}

/** Checks that the worst sliding window's availability is ≥ min; unknown for a short run or windows without traffic. */
export function availabilityChecker(sla: AvailabilitySla): Checker {
  const w = sla.window;
  const name = sla.label ?? `availability · ${w} s windows`;
  const threshold = `worst ${w} s window ≥ ${pct(sla.min)}`;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const runS = denseSeconds(history).length;
      const windows = slidingAvailability(history, w);
      if (windows.length === 0) {
        return { ...base, valid: 'unknown', reason: `the run lasted ${runS} s, shorter than one ${w} s window` };
      }
      const judged = windows.filter((x) => x.availability !== null);
      if (judged.length === 0) return { ...base, valid: 'unknown', reason: 'no requests in the run' };
      let worst = judged[0]!;
      for (const x of judged) if (x.availability! < worst.availability!) worst = x;
      const empty = windows.length - judged.length;
      const observed = {
        value: round(worst.availability!),
        unit: 'ratio',
        worstWindow: { startS: worst.startS, endS: worst.startS + w, ok: worst.ok, scheduled: worst.scheduled },
        windows: windows.length,
        emptyWindows: empty,
      };
      if (worst.availability! < sla.min) {
        const faults = overlapping(history, worst.startS, worst.startS + w);
        return {
          ...base,
          valid: false,
          observed,
          reason:
            `worst window ${worst.startS}–${worst.startS + w} s served ${worst.ok} of ${worst.scheduled} requests ` +
            `(${pct(worst.availability!)} < ${pct(sla.min)})${faults.length ? `, during ${faults.join(', ')}` : ''}`,
        };
      }
      if (empty > 0) {
        return { ...base, valid: 'unknown', observed, reason: `${empty} of ${windows.length} windows had no traffic, so availability there is unknown` };
      }
      return { ...base, valid: true, observed };
    },
  };
}

const overlapping = (history: History, fromS: number, toS: number): string[] =>
  history.faults.filter((f) => f.startMs < toS * 1000 && (f.endMs === undefined || f.endMs > fromS * 1000)).map((f) => f.name);
