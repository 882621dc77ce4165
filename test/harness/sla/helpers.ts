// Literal histories for checker tests: every figure is written out, histograms are real
// hdr-histogram-js encodings, so the checker is tested on exactly what the engine stores.
import * as hdr from 'hdr-histogram-js';
import type { FaultWindow, History, SecondBucket } from '../../../harness/load/history.ts';

/** Encodes latencies given in ms as `[ms, count]` pairs into an hdr histogram of µs. */
export function hist(pairs: ReadonlyArray<readonly [number, number]>): string {
  const h = hdr.build();
  for (const [ms, n] of pairs) h.recordValueWithCount(Math.round(ms * 1000), n);
  return hdr.encodeIntoCompressedBase64(h);
}

export interface SecondSpec {
  ok?: number;
  failed?: Record<string, number>;
  dropped?: number;
  /** Latency per size class as `[ms, count]` pairs; defaults to every completed request at 10 ms in 'all'. */
  latency?: Record<string, ReadonlyArray<readonly [number, number]>>;
}

/** One second bucket; completed requests get a 10 ms latency in class 'all' unless told otherwise. */
export function second(t: number, s: SecondSpec = {}): SecondBucket {
  const ok = s.ok ?? 0;
  const failed = s.failed ?? {};
  const dropped = s.dropped ?? 0;
  const completed = ok + Object.values(failed).reduce((a, b) => a + b, 0);
  const lat = s.latency ?? (completed > 0 ? { all: [[10, completed] as const] } : {});
  return {
    t,
    sent: completed + dropped,
    ok,
    failed,
    dropped,
    latency: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, hist(v)])),
  };
}

/** `n` seconds starting at `from`, each built by `f(t)`. */
export function seconds(from: number, n: number, f: (t: number) => SecondSpec): SecondBucket[] {
  return Array.from({ length: n }, (_, i) => second(from + i, f(from + i)));
}

/** A history around the given seconds. */
export function history(secs: SecondBucket[], faults: FaultWindow[] = [], measurements?: Record<string, number>): History {
  return {
    scenario: 'test',
    seed: 42,
    startedAt: '2026-01-01T00:00:00.000Z',
    settings: { rate: 100, durationS: secs.length },
    seconds: secs,
    failures: [],
    faults,
    ...(measurements ? { measurements } : {}),
  };
}

/** A steady run: `n` seconds of `rate` ok requests each at 10 ms. */
export function steady(n: number, rate = 100): History {
  return history(seconds(0, n, () => ({ ok: rate })));
}
