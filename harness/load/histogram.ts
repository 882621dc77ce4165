/**
 * HDR histogram helpers: one shape for every latency histogram the engine records, so
 * histograms from different seconds, threads and runs can be added together.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram };

/**
 * Highest recordable latency, µs (one hour). Larger values are clamped, not dropped: a
 * request that took "more than an hour" still counts towards the tail.
 */
export const MAX_LATENCY_US = 3_600_000_000;

/**
 * A new latency histogram (µs, 3 significant digits, 1 µs to one hour). Recording
 * histograms do not auto-resize, so a pooled one keeps its size and recording never
 * allocates; merge targets do (`resizable`), so they accept histograms that other tools
 * encoded with a wider range.
 */
export function newHistogram(resizable = false): Histogram {
  // 32-bit counts hold 2 billion samples per bucket: more than any run here sends.
  return hdr.build({ bitBucketSize: 32, autoResize: resizable, lowestDiscernibleValue: 1, highestTrackableValue: MAX_LATENCY_US, numberOfSignificantValueDigits: 3 });
}

/** Records a latency in µs, clamped into the histogram's range. */
export function recordUs(h: Histogram, us: number): void {
  h.recordValue(us < 1 ? 1 : us > MAX_LATENCY_US ? MAX_LATENCY_US : Math.round(us));
}

/** The histogram as the compressed base64 string a History stores. */
export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes a histogram stored by `encode`. */
export function decode(s: string): Histogram {
  return hdr.decodeFromCompressedBase64(s, 32, false);
}

/** Adds the decoded histograms into `into` (or a new histogram) and returns it. */
export function addEncoded(encoded: Iterable<string>, into: Histogram = newHistogram(true)): Histogram {
  for (const s of encoded) {
    const h = decode(s);
    into.add(h);
    h.destroy();
  }
  return into;
}

/** Encoded sum of encoded histograms; a single input is returned as is. */
export function mergeEncoded(encoded: string[]): string {
  if (encoded.length === 1) return encoded[0]!;
  const h = addEncoded(encoded);
  const s = encode(h);
  h.destroy();
  return s;
}

/** Latency percentiles in ms (null when the histogram is empty). */
export interface LatencyMs {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  count: number;
}

const ms = (us: number): number => Math.round(us) / 1000;

/** p50/p90/p99/p99.9/max of a µs histogram, in ms with µs precision. */
export function percentilesMs(h: Histogram): LatencyMs {
  if (h.totalCount === 0) return { p50: null, p90: null, p99: null, p999: null, max: null, count: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    count: h.totalCount,
  };
}
