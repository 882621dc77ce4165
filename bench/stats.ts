/** The median of a non-empty list (of an even count: the mean of the middle two). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface MedianInterval {
  low: number;
  high: number;
  /** The interval's actual coverage (order statistics give only discrete levels). */
  confidence: number;
}

/**
 * A distribution-free confidence interval for the median: the k-th smallest and k-th
 * largest of n samples, with k the largest for which P(Binomial(n, ½) < k) ≤ (1 − level)/2.
 * It assumes only independent samples, not a normal distribution: the host's speed gives
 * the ratios a skewed, occasionally bimodal spread, and a t-interval would be wrong in
 * either direction. Eight samples give no better than [min, max] (99.2 %), twelve give
 * [3rd, 10th] (96.1 %); with too few for `level` it is [min, max] at its lower coverage.
 */
export function medianInterval(xs: number[], level = 0.95): MedianInterval {
  if (xs.length === 0) throw new RangeError('medianInterval needs at least one sample');
  const n = xs.length;
  const s = [...xs].sort((a, b) => a - b);
  // below[k] = P(Binomial(n, ½) < k): the chance that the true median lies below the k-th
  // smallest sample, or (by symmetry) above the k-th largest.
  const below = [0];
  let coefficient = 1;
  for (let i = 0; i < n; i++) {
    below.push(below[i]! + coefficient / 2 ** n);
    coefficient = (coefficient * (n - i)) / (i + 1);
  }
  // [k-th smallest, k-th largest] misses the median with probability 2 * below[k]. With too
  // few samples for the level even k = 1 misses more often, and the coverage says so.
  let k = 1;
  while (k + 1 <= Math.ceil(n / 2) && 2 * below[k + 1]! <= 1 - level) k++;
  return { low: s[k - 1]!, high: s[n - k]!, confidence: 1 - 2 * below[k]! };
}

/** Ratios as the benches print them: three decimals, comma-separated. */
export const ratioList = (xs: number[]): string => xs.map((r) => r.toFixed(3)).join(', ');
