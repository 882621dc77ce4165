/**
 * Merges what slices record into one run: per-second buckets added across threads
 * (counts summed, histograms added), failure lists merged, running totals for progress.
 */
import type { Counters } from './buckets.ts';
import type { FailedRequest, SecondBucket } from './history.ts';
import { addEncoded, encode, mergeEncoded, newHistogram, type Histogram } from './histogram.ts';

/** One second's buckets from several slices, added together. */
export function mergeBuckets(parts: SecondBucket[]): SecondBucket {
  if (parts.length === 1) return parts[0]!;
  const out: SecondBucket = { t: parts[0]!.t, sent: 0, ok: 0, failed: {}, dropped: 0, latency: {} };
  const byClass = new Map<string, string[]>();
  for (const p of parts) {
    out.sent += p.sent;
    out.ok += p.ok;
    out.dropped += p.dropped;
    for (const [k, n] of Object.entries(p.failed)) out.failed[k] = (out.failed[k] ?? 0) + n;
    for (const [cls, h] of Object.entries(p.latency)) {
      const list = byClass.get(cls);
      if (list) list.push(h);
      else byClass.set(cls, [h]);
    }
  }
  for (const [cls, list] of byClass) out.latency[cls] = mergeEncoded(list);
  return out;
}

/**
 * The earliest `limit` failures across slices, in intended-time order. Each slice kept its
 * own earliest `limit`, so the global earliest `limit` are all among them.
 */
export function mergeFailures(lists: FailedRequest[][], limit: number): { failures: FailedRequest[]; omitted: number } {
  const all = lists.flat().sort((a, b) => a.at - b.at);
  return { failures: all.slice(0, limit), omitted: Math.max(0, all.length - limit) };
}

/** Sums counters from several slices. */
export function sumCounters(list: Iterable<Counters>): Counters {
  const s: Counters = { scheduled: 0, sent: 0, ok: 0, failed: 0, dropped: 0, inFlight: 0 };
  for (const c of list) {
    s.scheduled += c.scheduled;
    s.sent += c.sent;
    s.ok += c.ok;
    s.failed += c.failed;
    s.dropped += c.dropped;
    s.inFlight += c.inFlight;
  }
  return s;
}

/** Collects the buckets of `slices` slices as they arrive, in any order. */
export class BucketMerger {
  readonly #slices: number;
  readonly #pending = new Map<number, SecondBucket[]>();
  readonly #merged = new Map<number, SecondBucket>();
  // Every finished second's 'all' histogram, for the progress line's "p99 so far".
  readonly #soFar: Histogram = newHistogram(true);

  constructor(slices: number) {
    this.#slices = slices;
  }

  /** One slice's finished second. */
  add(b: SecondBucket): void {
    const parts = this.#pending.get(b.t) ?? [];
    parts.push(b);
    if (parts.length < this.#slices) {
      this.#pending.set(b.t, parts);
      return;
    }
    this.#pending.delete(b.t);
    const merged = mergeBuckets(parts);
    this.#merged.set(b.t, merged);
    if (merged.latency.all) addEncoded([merged.latency.all], this.#soFar);
  }

  /** p99 in ms over every second finished so far (null before any response). */
  p99SoFarMs(): number | null {
    return this.#soFar.totalCount ? Math.round(this.#soFar.getValueAtPercentile(99)) / 1000 : null;
  }

  /** Seconds [0, n) in order; a second no slice reported (a run stopped early) is empty. */
  seconds(n: number): SecondBucket[] {
    // Seconds still pending here had a slice fail; merge what arrived rather than lose it.
    for (const [t, parts] of this.#pending) this.#merged.set(t, mergeBuckets(parts));
    this.#pending.clear();
    const out: SecondBucket[] = [];
    let empty: string | undefined;
    for (let t = 0; t < n; t++) out.push(this.#merged.get(t) ?? { t, sent: 0, ok: 0, failed: {}, dropped: 0, latency: { all: (empty ??= encode(newHistogram())) } });
    this.#soFar.destroy();
    return out;
  }
}
