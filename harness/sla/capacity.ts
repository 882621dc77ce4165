/**
 * Capacity from a ramp's history: the highest throughput held for several seconds in a row
 * in which the latency and error bounds held every second, where the ramp tipped over, and
 * the fleet that gives the target rate. Pure: history and bounds in, figures out.
 *
 * Why a window rather than the best single second: a rising ramp outruns the stack for a
 * few seconds before latency or admission control shows it (the queue absorbs the excess),
 * and a second that merely drains a backlog completes more than the stack can hold. Over ten
 * runs on the project's 2-core machine the best single second ranged 54-77/s while the same
 * runs, once overloaded, delivered a median 50-60 ok/s; the best 5 s of good seconds in a row
 * ranged 50-63/s. On a ramp the window's mean lies about half the window's rise below its
 * last second (~4/s here): conservative, which is the safe side for sizing a fleet.
 */
import type { History, SecondBucket } from '../load/history.ts';
import { addEncoded, percentilesMs } from '../load/histogram.ts';
import { secondCounts } from './series.ts';

export interface CapacityBounds {
  /** A second is good when its p99 (all sizes) is under this… */
  p99Ms: number;
  /** …and its failed plus dropped share at most this. */
  maxErrorRate: number;
  /** Consecutive good seconds the sustained rate is averaged over. */
  windowS: number;
  /** The fleet is sized for `target` resizes/s with `headroom` spare. */
  target: number;
  headroom: number;
}

export interface CapacityFigures {
  /** Highest mean ok/s over `windowS` consecutive seconds that were all within bounds. */
  sustainedRate: number;
  /** The window length it was judged over, in seconds. */
  windowS: number;
  /** The most resizes completed in any one second, within bounds or not. */
  peakRate: number;
  /** Offered rate of the first bad second after a good one (the tip-over point); null if the ramp never tipped over. */
  tipOverOffered: number | null;
  /** The highest rate the ramp offered in any second. */
  maxOffered: number;
  cores: number;
  perCore: number;
  /** Machines like this one for `target` resizes/s with `headroom` spare. */
  fleet: { target: number; headroom: number; machines: number };
}

function isGood(s: SecondBucket, b: CapacityBounds): boolean {
  const c = secondCounts(s);
  const hist = s.latency.all ? addEncoded([s.latency.all]) : undefined;
  const p99 = (hist ? percentilesMs(hist).p99 : null) ?? Infinity;
  return p99 < b.p99Ms && (c.failed + c.dropped) / c.scheduled <= b.maxErrorRate;
}

/** The capacity figures of a ramp, each second judged against `b`; `cores` is the machine's. */
export function capacity(h: History, b: CapacityBounds, cores: number): CapacityFigures {
  let sustained = 0;
  let tipOver: number | null = null;
  let run: number[] = []; // ok counts of the last (up to windowS) consecutive good seconds
  let seenGood = false;
  for (const s of h.seconds) {
    if (secondCounts(s).completed === 0) {
      run = [];
      continue;
    }
    if (!isGood(s, b)) {
      if (tipOver === null && seenGood) tipOver = s.sent;
      run = [];
      continue;
    }
    seenGood = true;
    run.push(s.ok);
    if (run.length > b.windowS) run.shift();
    if (run.length === b.windowS) sustained = Math.max(sustained, run.reduce((a, x) => a + x, 0) / b.windowS);
  }
  sustained = Math.round(sustained * 10) / 10;
  return {
    sustainedRate: sustained,
    windowS: b.windowS,
    peakRate: Math.max(0, ...h.seconds.map((s) => s.ok)),
    tipOverOffered: tipOver,
    maxOffered: Math.max(0, ...h.seconds.map((s) => s.sent)),
    cores,
    perCore: sustained / cores,
    fleet: { target: b.target, headroom: b.headroom, machines: Math.ceil((b.target * (1 + b.headroom)) / Math.max(sustained, 1e-9)) },
  };
}
