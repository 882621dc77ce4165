/**
 * The open-model load engine: sends requests at an arrival rate (not a number of users),
 * whatever the target does, and records a History (harness/load/history.ts). It records;
 * it never judges — that is harness/sla's job.
 *
 * With more than one thread, the schedule is split across worker threads, each with its
 * own slice of the arrivals and its own undici pool; their seconds are added together.
 *
 * How it fills a SecondBucket: `sent` counts requests that went out (dropped ones are in
 * `dropped` only, so scheduled = sent + dropped and, once all have settled, sent = ok +
 * Σ failed). `latency` covers every sent request from intended send time to outcome —
 * timeouts (at ≥ the deadline) and connection errors included — because leaving the
 * `info` outcomes out would make the tail look better the worse the target gets.
 */
import { availableParallelism } from 'node:os';
import { BucketMerger, mergeFailures, sumCounters } from './aggregate.ts';
import type { Counters } from './buckets.ts';
import { addEncoded, percentilesMs } from './histogram.ts';
import type { History } from './history.ts';
import { Schedule, peakRate, profileDurationS, type ArrivalProfile } from './profile.ts';
import { isTransferable, resolveFactory, type RequestSource, type RequestSpec } from './request.ts';
import { startSlice, type SliceEvents, type SliceOptions, type SliceResult } from './slice.ts';
import { ThreadSlice } from './threads.ts';

/**
 * Requests per second one thread is given by `threads: 'auto'`. Measured on this
 * project's 2-core machines against a trivial server in another process (bench/RESULTS.md,
 * "load engine"): one thread holds 10,000 req/s on schedule using 0.6–0.7 of a core, while two
 * threads at the same rate used more CPU in total and dropped requests, because the second
 * event loop takes its core from the target. So 'auto' adds a thread per 10,000 req/s but
 * always leaves one core to the target: on 2 cores, 'auto' is 1 thread at any rate.
 */
export const AUTO_RATE_PER_THREAD = 10_000;

/** What a run gets when it does not say: used for the threads and recorded in the history alike. */
const DEFAULT_CONNECTIONS = 64;
const DEFAULT_MAX_IN_FLIGHT = 10_000;

// The engine's whole public surface, so callers import from one place.
export type { ArrivalProfile, ConstantProfile, RampingProfile, RampStage } from './profile.ts';
export type { RequestSpec, RequestFactory, FactoryModule, RequestSource } from './request.ts';
export type { History, SecondBucket, FailedRequest } from './history.ts';
export { summarize, type Summary } from './summary.ts';

export interface LoadOptions {
  /** Target URL; its path and query are used when `requests` is omitted. */
  url: string;
  profile: ArrivalProfile;
  /** What to send (default: GET of `url`). A function only runs with `threads: 1`. */
  requests?: RequestSource;
  /** Connections across all threads (default 64). */
  connections?: number;
  /** HTTP/1.1 requests in flight per connection (default 1: no pipelining). */
  pipelining?: number;
  /** Requests in flight across all threads before new ones are dropped (k6's maxVUs; default 10,000). */
  maxInFlight?: number;
  /** How far behind schedule the sender may fall before a request is dropped, ms (default 250). */
  slackMs?: number;
  /** Per-request deadline from its intended send time, ms (default 10,000). */
  timeoutMs?: number;
  /** Wait at most this long after the profile's end for in-flight responses, ms (default 10,000). */
  graceMs?: number;
  /** Worker threads, or 'auto' (default): one per AUTO_RATE_PER_THREAD req/s, at most cores − 1, at least 1. */
  threads?: number | 'auto';
  /**
   * 'timer' (default): wait on setTimeout, sending in ~1 ms batches; lateness (≤ ~1–2 ms
   * when the machine is not overloaded) is measured and included in latency. 'spin':
   * finish each wait on setImmediate for sub-ms send precision, at the price of one busy
   * core per thread — only when the target has cores of its own.
   */
  scheduler?: 'timer' | 'spin';
  /** Statuses counted as ok (default: every status below 400). */
  okStatuses?: number[];
  /** Failed requests kept individually (default 10,000). */
  failuresLimit?: number;
  /** Sending anywhere but loopback needs this (the harness only ever targets its own stack). */
  allowRemote?: boolean;
  scenario?: string;
  seed?: number;
  /** Extra settings recorded in the history (e.g. the CLI's arguments). */
  settings?: Record<string, unknown>;
  /** About once per second while the run lasts. */
  onProgress?: (p: Progress) => void;
  /** Aborting ends the schedule early; in-flight requests still get the grace period. */
  signal?: AbortSignal;
}

export interface Progress {
  elapsedS: number;
  scheduled: number;
  sent: number;
  ok: number;
  failed: number;
  dropped: number;
  inFlight: number;
  /** Requests sent per second of elapsed run time. */
  achievedRate: number;
  /** p99 over the seconds finished so far, ms (a second finishes when all its requests did). */
  p99Ms: number | null;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when a URL's host is this machine's loopback interface. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The thread count a run will use. */
export function chooseThreads(o: Pick<LoadOptions, 'threads' | 'profile'>): number {
  if (typeof o.threads === 'number') {
    if (!Number.isInteger(o.threads) || o.threads < 1) throw new RangeError(`threads must be a positive integer, got ${o.threads}`);
    return o.threads;
  }
  return Math.max(1, Math.min(Math.ceil(peakRate(o.profile) / AUTO_RATE_PER_THREAD), availableParallelism() - 1));
}

/** Validates the options and the per-thread slice options they give (each thread gets its share of connections and in-flight). */
function sliceOptions(o: LoadOptions, url: URL, threads: number): Omit<SliceOptions, 'index' | 'count'> {
  const num = (x: number | undefined, d: number, name: string, min = 1): number => {
    const v = x ?? d;
    if (!Number.isFinite(v) || v < min) throw new RangeError(`${name} must be >= ${min}, got ${v}`);
    return v;
  };
  if (o.scheduler !== undefined && o.scheduler !== 'timer' && o.scheduler !== 'spin') throw new RangeError(`scheduler must be 'timer' or 'spin', got ${o.scheduler}`);
  return {
    origin: url.origin,
    profile: o.profile,
    connections: Math.ceil(num(o.connections, DEFAULT_CONNECTIONS, 'connections') / threads),
    pipelining: num(o.pipelining, 1, 'pipelining'),
    maxInFlight: Math.ceil(num(o.maxInFlight, DEFAULT_MAX_IN_FLIGHT, 'maxInFlight') / threads),
    slackMs: num(o.slackMs, 250, 'slackMs', 0),
    timeoutMs: num(o.timeoutMs, 10_000, 'timeoutMs'),
    graceMs: num(o.graceMs, 10_000, 'graceMs', 0),
    failuresLimit: num(o.failuresLimit, 10_000, 'failuresLimit', 0),
    scheduler: o.scheduler ?? 'timer',
    ...(o.okStatuses ? { okStatuses: o.okStatuses } : {}),
  };
}

type Slice = { done: Promise<SliceResult>; stop(): void };

/** Starts the slices (in this thread, or one worker thread each) at one common instant; resolves with them and that instant (epoch ms). */
async function startSlices(base: Omit<SliceOptions, 'index' | 'count'>, source: RequestSource, threads: number, events: (i: number) => SliceEvents): Promise<{ slices: Slice[]; startEpochMs: number }> {
  if (threads === 1) {
    const factory = await resolveFactory(source);
    const startEpochMs = performance.timeOrigin + performance.now() + 5;
    return { slices: [startSlice({ ...base, index: 0, count: 1 }, factory, startEpochMs - performance.timeOrigin, events(0))], startEpochMs };
  }
  const ts = Array.from({ length: threads }, (_, i) => new ThreadSlice({ options: { ...base, index: i, count: threads }, source: source as RequestSpec }, events(i)));
  try {
    await Promise.all(ts.map((t) => t.ready));
  } catch (err) {
    await Promise.all(ts.map((t) => t.terminate()));
    throw err;
  }
  // A common instant a little ahead, so every thread's first tick is on time.
  const startEpochMs = performance.timeOrigin + performance.now() + 50;
  for (const t of ts) t.start(startEpochMs);
  return { slices: ts, startEpochMs };
}

/** Waits for every slice, reporting progress once a second and stopping them all on abort; a crashed thread stops the rest. */
async function awaitSlices(o: LoadOptions, slices: Slice[], progressOf: () => Progress): Promise<SliceResult[]> {
  const stop = (): void => slices.forEach((s) => s.stop());
  o.signal?.addEventListener('abort', stop, { once: true });
  if (o.signal?.aborted) stop();
  const progress = o.onProgress ? setInterval(() => o.onProgress!(progressOf()), 1000) : null;
  try {
    return await Promise.all(slices.map((s) => s.done));
  } catch (err) {
    await Promise.all(slices.map((s) => (s instanceof ThreadSlice ? s.terminate() : s.stop())));
    throw err;
  } finally {
    if (progress) clearInterval(progress);
    o.signal?.removeEventListener('abort', stop);
  }
}

/** The engine's own figures: send lag, its event-loop load, what it abandoned or left out. */
function engineMeasurements(results: SliceResult[], omitted: number): Record<string, number> {
  const lag = percentilesMs(addEncoded(results.map((r) => r.sendLag)));
  const stoppedAt = results.map((r) => r.stoppedAtMs).filter((x): x is number => x !== undefined);
  const measurements: Record<string, number> = {
    scheduled: sumCounters(results.map((r) => r.counters)).scheduled,
    sendLagP50Ms: lag.p50 ?? 0,
    sendLagP99Ms: lag.p99 ?? 0,
    sendLagMaxMs: lag.max ?? 0,
    // Above ~0.9 the engine itself was busy enough to read responses late: treat the
    // latencies of such a run with suspicion (a cold start, an overloaded machine).
    engineEluMean: Math.round(Math.max(...results.map((r) => r.elu.mean)) * 1000) / 1000,
    engineEluMaxSecond: Math.round(Math.max(...results.map((r) => r.elu.max)) * 1000) / 1000,
    abandonedAfterGrace: results.reduce((s, r) => s + r.abandoned, 0),
    // 429/503 answers a client could not act on (no problem+json or no Retry-After): refusal.ts.
    bareRefusals: results.reduce((s, r) => s + r.bareRefusals, 0),
    failuresOmitted: omitted + results.reduce((s, r) => s + r.failuresOmitted, 0),
  };
  if (stoppedAt.length) measurements.stoppedAtMs = Math.min(...stoppedAt);
  for (const r of results) for (const [g, n] of Object.entries(r.groupFailures)) measurements[`failed:${g}`] = (measurements[`failed:${g}`] ?? 0) + n;
  return measurements;
}

/** The run's settings as recorded in the History. */
function runSettings(o: LoadOptions, base: Omit<SliceOptions, 'index' | 'count'>, threads: number, source: RequestSource, schedule: Schedule): Record<string, unknown> {
  const durationS = profileDurationS(o.profile);
  return {
    url: o.url,
    profile: o.profile,
    durationS,
    targetRate: schedule.total / durationS,
    peakRate: peakRate(o.profile),
    threads,
    connections: o.connections ?? DEFAULT_CONNECTIONS,
    pipelining: base.pipelining,
    maxInFlight: o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    slackMs: base.slackMs,
    timeoutMs: base.timeoutMs,
    graceMs: base.graceMs,
    scheduler: base.scheduler,
    failuresLimit: base.failuresLimit,
    ...(base.okStatuses ? { okStatuses: base.okStatuses } : {}),
    ...(typeof source === 'object' && 'method' in source ? { method: source.method, path: source.path, bodyBytes: source.body?.length ?? 0 } : {}),
    ...o.settings,
  };
}

/**
 * Runs a load profile against a target and resolves with its History once the profile
 * has ended and every request has an outcome (or the grace period ran out). Rejects only
 * on bad options or a crashed thread; target failures are data, not errors.
 */
export async function runLoad(o: LoadOptions): Promise<History> {
  const url = new URL(o.url);
  if (!o.allowRemote && !isLoopback(o.url)) throw new RangeError(`refusing to load ${url.host}: only loopback targets are allowed without allowRemote`);
  const schedule = new Schedule(o.profile);
  const threads = chooseThreads(o);
  const source: RequestSource = o.requests ?? ({ method: 'GET', path: `${url.pathname}${url.search}` } satisfies RequestSpec);
  if (threads > 1 && !isTransferable(source)) throw new TypeError('a request factory function cannot run in worker threads: pass a static request spec or a { module } factory, or threads: 1');
  const base = sliceOptions(o, url, threads);
  const merger = new BucketMerger(threads);
  const latest: Counters[] = [];
  const events = (i: number): SliceEvents => ({ bucket: (b) => merger.add(b), progress: (c) => void (latest[i] = c) });
  const { slices, startEpochMs } = await startSlices(base, source, threads, events);
  const progressOf = (): Progress => {
    const c = sumCounters(latest.filter(Boolean));
    const elapsedS = Math.max(0.001, (performance.timeOrigin + performance.now() - startEpochMs) / 1000);
    return { elapsedS, ...c, achievedRate: c.sent / Math.min(elapsedS, schedule.durationMs / 1000), p99Ms: merger.p99SoFarMs() };
  };
  const results = await awaitSlices(o, slices, progressOf);
  const { failures, omitted } = mergeFailures(
    results.map((r) => r.failures),
    base.failuresLimit,
  );
  return {
    scenario: o.scenario ?? 'adhoc',
    seed: o.seed ?? 0,
    startedAt: new Date(startEpochMs).toISOString(),
    settings: runSettings(o, base, threads, source, schedule),
    seconds: merger.seconds(Math.max(1, Math.ceil(schedule.durationMs / 1000))),
    failures,
    faults: [],
    measurements: engineMeasurements(results, omitted),
  };
}
