/**
 * What one offered rate of bench/queue.ts measured, and the judgement over a ramp of them:
 * the ceiling (the highest rate the broker carries within the bar), and what it means for
 * sharding. Pure functions of the measurements.
 */
import type { Measured } from './measure.ts';
import type { QueuePhase } from './queue-rig.ts';
import type { TrafficSnapshot } from './traffic.ts';

/** The bar a rate must clear to count towards the ceiling. */
export const BAR = { completedShare: 0.99, p99Ms: 50 } as const;
/** The fleet the ceiling is sized for: 10,000 jobs/s with 20 % headroom. */
export const TARGET_JOBS_PER_S = 12_000;

export interface RateRow {
  rate: number;
  seconds: number;
  scheduled: number;
  dropped: number;
  completed: number;
  completedPerS: number;
  errors: Record<string, number>;
  brokerUsPerJob: number;
  dispatchMs: QueuePhase['dispatchMs'];
  brokerWaitP99Ms: number;
  sendLagMs: { p99: number; max: number };
  brokerCpuBusy: number;
  benchCpuBusy: number;
  /** Share of the broker's CPU and of the bench's that other processes took. */
  othersOnBrokerCpu: number;
  othersOnBenchCpu: number;
  benchUsPerJob: number;
  traffic: TrafficSnapshot;
  raw: { brokerCpuS: number; usPerJobEquivalent: number; brokerCpuBusy: number; traffic: TrafficSnapshot };
  /** Queue broker CPU per job ÷ raw aedes CPU per job-equivalent. */
  overRaw: number;
  pass: boolean;
  /** Failed while contended and measured again: shown, but not judged. */
  superseded?: boolean;
}

export function rowOf(rate: number, seconds: number, q: Measured<QueuePhase>, raw: Measured<TrafficSnapshot>): RateRow {
  const p = q.result;
  const per = (cpuS: number) => (p.completed > 0 ? (cpuS * 1e6) / p.completed : NaN);
  const row: Omit<RateRow, 'pass'> = {
    rate,
    seconds,
    scheduled: p.loop.scheduled,
    dropped: p.loop.dropped,
    completed: p.completed,
    completedPerS: p.completed / seconds,
    errors: p.errors,
    brokerUsPerJob: per(q.brokerCpuS),
    dispatchMs: p.dispatchMs,
    brokerWaitP99Ms: p.brokerWaitP99Ms,
    sendLagMs: p.loop.lagMs,
    brokerCpuBusy: q.brokerCpuBusy,
    benchCpuBusy: q.benchCpuBusy,
    othersOnBrokerCpu: q.othersOnBrokerCpu,
    othersOnBenchCpu: q.othersOnBenchCpu,
    benchUsPerJob: per(q.benchCpuS),
    traffic: p.traffic,
    raw: { brokerCpuS: raw.brokerCpuS, usPerJobEquivalent: per(raw.brokerCpuS), brokerCpuBusy: raw.brokerCpuBusy, traffic: raw.result },
    overRaw: q.brokerCpuS / raw.brokerCpuS,
  };
  return { ...row, pass: row.completed >= BAR.completedShare * row.scheduled && row.dispatchMs.p99 <= BAR.p99Ms };
}

/** Other processes took more than this share of the broker's or the bench's CPU. */
const CONTENDED = 0.25;

/**
 * True when a failed rate should be measured once more: other processes (this machine is
 * shared) took a large share of a CPU meanwhile, so the failure may not be the broker's.
 */
export const contended = (r: RateRow) => !r.pass && Math.max(r.othersOnBrokerCpu, r.othersOnBenchCpu) > CONTENDED;

/**
 * True when the ramp should stop: the last rate failed by a wide margin (under 95 % done
 * or p99 over four times the bar), or the last two rates both failed. Higher rates would
 * only pile up more of the same backlog and take minutes.
 */
export function rampDone(all: RateRow[]): boolean {
  const rows = all.filter((r) => !r.superseded);
  const last = rows.at(-1);
  if (!last || last.pass) return false;
  const wide = last.completed < 0.95 * last.scheduled || last.dispatchMs.p99 > 4 * BAR.p99Ms;
  return wide || rows.at(-2)?.pass === false;
}

export interface RampSummary {
  /** The highest offered rate that cleared the bar (jobs/s), or null if none did. */
  ceiling: number | null;
  /** Broker CPU per job at the ceiling rate, µs. */
  brokerUsPerJobAtCeiling: number | null;
  /** What one broker CPU could carry if CPU were all that limited it: 10^6 ÷ µs per job. */
  cpuBoundJobsPerS: number | null;
  /** The measured rate nearest 70 % of the ceiling and its p99 dispatch latency. */
  at70: { rate: number; p99Ms: number } | null;
  /** Brokers (shards) for TARGET_JOBS_PER_S at the ceiling. */
  shards: number | null;
  /** Rates below the ceiling that failed the bar: the ceiling is then less certain than it reads. */
  failedBelow: number[];
}

export function summarize(all: RateRow[]): RampSummary {
  const rows = all.filter((r) => !r.superseded);
  const best = rows.filter((r) => r.pass).sort((a, b) => b.rate - a.rate)[0];
  if (!best) return { ceiling: null, brokerUsPerJobAtCeiling: null, cpuBoundJobsPerS: null, at70: null, shards: null, failedBelow: [] };
  const target = 0.7 * best.rate;
  const near = [...rows].sort((a, b) => Math.abs(a.rate - target) - Math.abs(b.rate - target))[0]!;
  return {
    ceiling: best.rate,
    brokerUsPerJobAtCeiling: best.brokerUsPerJob,
    cpuBoundJobsPerS: 1e6 / best.brokerUsPerJob,
    at70: { rate: near.rate, p99Ms: near.dispatchMs.p99 },
    shards: Math.ceil(TARGET_JOBS_PER_S / best.rate),
    failedBelow: rows.filter((r) => !r.pass && r.rate < best.rate).map((r) => r.rate),
  };
}
