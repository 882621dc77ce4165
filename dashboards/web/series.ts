/**
 * The chart data behind the page: the error budget left over a range (burn-down) and the
 * latency percentiles by size class, each a Prometheus range query ending now.
 */
import { RANGES, type Burndown, type Latency, type RangeName } from './schema.ts';
import type { PrometheusClient } from './prometheus.ts';

/** The percentiles drawn per size class. */
export const QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * About 240 points per chart whatever the range, never finer than the 5 s rule interval.
 * The last point is now (whole seconds), not the last step boundary: rounding down would
 * hide up to a step of the newest data, all a fresh stack has.
 */
export function frame(range: RangeName, now: number): { start: number; end: number; step: number } {
  const seconds = RANGES[range];
  const step = Math.max(5, Math.ceil(seconds / 240));
  const end = Math.ceil(now);
  return { start: end - seconds, end, step };
}

export async function readBurndown(prom: PrometheusClient, range: RangeName, now: number): Promise<Omit<Burndown, 'prometheus'>> {
  const f = frame(range, now);
  const series = await prom.queryRange('slo:error_budget_remaining:ratio', f.start, f.end, f.step);
  return { range, ...f, series: series.map((s) => ({ slo: s.labels.slo ?? '', points: s.points })).sort((a, b) => a.slo.localeCompare(b.slo)) };
}

/** histogram_quantile over a 1 m rate of the api's request duration, per size class, in ms. */
export function latencyExpr(q: number): string {
  return `1000 * histogram_quantile(${q}, sum by (le, size_class) (rate(nines_api_request_duration_seconds_bucket{route="/v1/resize"}[1m])))`;
}

export async function readLatency(prom: PrometheusClient, range: RangeName, now: number): Promise<Omit<Latency, 'prometheus' | 'faults'>> {
  const f = frame(range, now);
  const perQuantile = await Promise.all(QUANTILES.map((q) => prom.queryRange(latencyExpr(q), f.start, f.end, f.step)));
  const series = perQuantile.flatMap((list, n) => list.map((s) => ({ sizeClass: s.labels.size_class ?? 'all', quantile: QUANTILES[n]!, points: s.points })));
  series.sort((a, b) => a.sizeClass.localeCompare(b.sizeClass) || a.quantile - b.quantile);
  return { range, ...f, series };
}
