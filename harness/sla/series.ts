/**
 * Figures derived from a history's per-second buckets: totals, merged latency histograms
 * and the per-second series the report draws. Percentiles are computed by merging HDR
 * histograms, never by averaging per-second percentiles (which is meaningless).
 *
 * Counting rules, shared by every checker and the report:
 * - completed = ok + failed (`fail` and `info`: the request went out and got an outcome);
 * - scheduled = completed + dropped (every request the open model meant to send).
 */
import * as hdr from 'hdr-histogram-js';
import type { History, SecondBucket } from '../load/history.ts';
import type { Threshold } from './threshold.ts';

export type Histogram = hdr.Histogram;

export interface Counts {
  ok: number;
  failed: number;
  dropped: number;
  completed: number;
  scheduled: number;
}

export interface LatencyPoint {
  t: number;
  /** Latency samples in this second; the percentiles are null when there are none. */
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface ThroughputPoint {
  t: number;
  ok: number;
  failed: number;
  dropped: number;
}

const sum = (r: Record<string, number> | undefined): number => {
  let n = 0;
  for (const v of Object.values(r ?? {})) n += v;
  return n;
};

/** Counts for one second (see the counting rules above). */
export function secondCounts(b: SecondBucket): Counts {
  const failed = sum(b.failed);
  return { ok: b.ok, failed, dropped: b.dropped, completed: b.ok + failed, scheduled: b.ok + failed + b.dropped };
}

/** Counts over the given seconds, each second counted by `count` (secondCounts by default). */
export function totals(seconds: readonly SecondBucket[], count: (b: SecondBucket) => Counts = secondCounts): Counts {
  const c: Counts = { ok: 0, failed: 0, dropped: 0, completed: 0, scheduled: 0 };
  for (const b of seconds) {
    const s = count(b);
    c.ok += s.ok;
    c.failed += s.failed;
    c.dropped += s.dropped;
    c.completed += s.completed;
    c.scheduled += s.scheduled;
  }
  return c;
}

/** Failed requests by kind over the given seconds, most frequent first. */
export function failuresByKind(seconds: readonly SecondBucket[]): Record<string, number> {
  const by = new Map<string, number>();
  for (const b of seconds) for (const [k, n] of Object.entries(b.failed ?? {})) by.set(k, (by.get(k) ?? 0) + n);
  return Object.fromEntries([...by].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** The size classes that have a latency histogram in at least one second, sorted. */
export function sizeClasses(history: History): string[] {
  const s = new Set<string>();
  for (const b of history.seconds) for (const k of Object.keys(b.latency ?? {})) s.add(k);
  return [...s].sort();
}

/** Decodes one stored histogram; throws saying which second and class is corrupt. */
export function decodeLatency(encoded: string, where = ''): Histogram {
  try {
    // 32-bit buckets: about 40 KB while in use and 10× faster than `packed` to decode and query.
    return hdr.decodeFromCompressedBase64(encoded, 32, false);
  } catch (err) {
    throw new Error(`cannot decode latency histogram${where ? ` ${where}` : ''}: ${(err as Error).message}`, { cause: err });
  }
}

/** The merged latency histogram (µs) of a size class over the given seconds; null when it holds no samples. */
export function mergedLatency(seconds: readonly SecondBucket[], sizeClass: string): Histogram | null {
  const acc = hdr.build();
  for (const b of seconds) {
    const enc = b.latency?.[sizeClass];
    if (enc === undefined) continue;
    acc.add(decodeLatency(enc, `at second ${b.t}, class ${sizeClass}`));
  }
  return acc.totalCount > 0 ? acc : null;
}

/** The value (ms) of a latency aggregation (avg, min, max, med, p(N)) over a histogram in µs. */
export function latencyAggregate(h: Histogram, t: Pick<Threshold, 'aggregation' | 'percentile'>): number {
  switch (t.aggregation) {
    case 'avg':
      return h.mean / 1000;
    case 'min':
      // HDR keeps minNonZeroValue at MAX_SAFE_INTEGER when only zeros were recorded.
      return h.minNonZeroValue > h.maxValue ? 0 : h.minNonZeroValue / 1000;
    case 'max':
      return h.maxValue / 1000;
    case 'med':
      return h.getValueAtPercentile(50) / 1000;
    case 'p':
      return h.getValueAtPercentile(t.percentile ?? 100) / 1000;
    default:
      throw new Error(`aggregation ${t.aggregation} does not apply to latency`);
  }
}

/** Per second: sample count and p50/p90/p99/max latency in ms of a size class (null without samples). */
export function percentilesOverTime(history: History, sizeClass = 'all'): LatencyPoint[] {
  return history.seconds.map((b) => {
    const enc = b.latency?.[sizeClass];
    const h = enc === undefined ? null : decodeLatency(enc, `at second ${b.t}, class ${sizeClass}`);
    if (!h || h.totalCount === 0) return { t: b.t, count: 0, p50: null, p90: null, p99: null, max: null };
    return {
      t: b.t,
      count: h.totalCount,
      p50: h.getValueAtPercentile(50) / 1000,
      p90: h.getValueAtPercentile(90) / 1000,
      p99: h.getValueAtPercentile(99) / 1000,
      max: h.maxValue / 1000,
    };
  });
}

/** Per second: ok, failed (fail + info) and dropped requests. */
export function throughputOverTime(history: History): ThroughputPoint[] {
  return history.seconds.map((b) => {
    const c = secondCounts(b);
    return { t: b.t, ok: c.ok, failed: c.failed, dropped: c.dropped };
  });
}

/** The run as a dense array indexed by second `t` (0..last); a second the engine did not record is empty. */
export function denseSeconds(history: History): SecondBucket[] {
  // A second with no traffic is still a second: windows and recovery count wall time, not buckets.
  const last = history.seconds.reduce((m, b) => Math.max(m, b.t), -1);
  const out: SecondBucket[] = Array.from({ length: last + 1 }, (_, t) => ({ t, sent: 0, ok: 0, failed: {}, dropped: 0, latency: {} }));
  for (const b of history.seconds) if (Number.isInteger(b.t) && b.t >= 0) out[b.t] = b;
  return out;
}
