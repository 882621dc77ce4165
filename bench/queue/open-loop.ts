/**
 * The open model's schedule (wrk2, k6's constant-arrival-rate): `rate` sends per second for
 * `seconds`, each at its intended time whatever the system under test does, so a slow
 * broker cannot slow the offered load down and hide its own queueing. Latency is measured
 * by the caller from the intended time it is given.
 */
import { newHistogram, recordUs } from '../../harness/load/histogram.ts';

/** Sends not made this long after the schedule's end are dropped, never silently skipped. */
const GRACE_MS = 2_000;

export interface OpenLoopResult {
  /** Sends the schedule held: round(rate × seconds). */
  scheduled: number;
  sent: number;
  /** Scheduled but not sent by the end of the grace (the sender itself fell behind). */
  dropped: number;
  /** How late sends left against their intended time: the load generator's own lag. */
  lagMs: { p99: number; max: number };
}

/**
 * Calls `send(intendedMs)` round(rate × seconds) times, the i-th at start + i / rate (ms on
 * the performance.now() clock). It wakes about every millisecond and sends everything due,
 * so sends leave in bursts of up to ~1 ms worth; bounded in count and in time (the
 * schedule plus GRACE_MS).
 */
export async function openLoop(rate: number, seconds: number, send: (intendedMs: number) => void): Promise<OpenLoopResult> {
  const scheduled = Math.round(rate * seconds);
  const lag = newHistogram();
  const start = performance.now();
  const stopAt = start + seconds * 1000 + GRACE_MS;
  let i = 0;
  while (i < scheduled && performance.now() < stopAt) {
    const due = Math.min(scheduled, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; i < due; i++) {
      const intended = start + (i * 1000) / rate;
      recordUs(lag, (performance.now() - intended) * 1000);
      send(intended);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return { scheduled, sent: i, dropped: scheduled - i, lagMs: { p99: lag.getValueAtPercentile(99) / 1000, max: lag.maxValue / 1000 } };
}
