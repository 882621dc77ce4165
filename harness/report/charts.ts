/**
 * The two charts of report.html: latency percentiles and throughput over run time, with
 * fault windows shaded on both so a reader sees cause and effect on one time axis.
 */
import type { History } from '../load/history.ts';
import { denseSeconds, percentilesOverTime, secondCounts } from '../sla/series.ts';
import { esc } from './escape.ts';
import {
  bandPath,
  faultBands,
  gappedPath,
  linear,
  linearTicks,
  log10,
  logTicks,
  shortNumber,
  timeTicks,
  xAxis,
  yAxis,
  type Band,
  type Box,
} from './svg.ts';

// `top` leaves a strip above the plot for fault names, so labels never sit on the data.
const BOX: Box = { width: 1000, height: 330, top: 34, right: 20, bottom: 34, left: 64 };
// Per-second hover rectangles carry exact figures; past this many they bloat the file.
const MAX_HOVER = 1200;

/** A horizontal reference line, e.g. the SLA bound `p(99)<500` at 500 ms. */
export interface RefLine {
  label: string;
  ms: number;
}

/** Fault windows of a history as chart bands, clipped to the run. */
export function bandsOf(history: History, durationS: number): Band[] {
  return history.faults.map((f) => ({
    name: f.name,
    fromS: Math.max(0, f.startMs / 1000),
    toS: f.endMs === undefined ? durationS : Math.min(durationS, f.endMs / 1000),
    healed: f.endMs !== undefined,
  }));
}

const svgOpen = (cls: string, label: string) =>
  `<svg class="chart ${cls}" viewBox="0 0 ${BOX.width} ${BOX.height}" preserveAspectRatio="xMidYMid meet" role="img" aria-label="${esc(label)}">`;

const ms = (v: number) => (v >= 1000 ? `${shortNumber(v / 1000)} s` : `${shortNumber(v)} ms`);

/** Latency p50/p90/p99 per second on a log scale (tail and median differ by orders of magnitude under faults). */
export function latencyChart(history: History, sizeClass: string, refs: readonly RefLine[]): string {
  const points = percentilesOverTime(history, sizeClass).sort((a, b) => a.t - b.t);
  const durationS = Math.max(1, denseSeconds(history).length);
  const values = points.flatMap((p) => [p.p50, p.p90, p.p99]).filter((v): v is number => v !== null && v > 0);
  if (values.length === 0) return `<p class="empty">No latency samples for size class “${esc(sizeClass)}”.</p>`;
  const lo = Math.min(...values);
  const hi = Math.max(...values, ...refs.map((r) => r.ms));
  const d0 = 10 ** Math.floor(Math.log10(Math.max(lo, 0.001)));
  let d1 = 10 ** Math.ceil(Math.log10(hi));
  if (d1 <= d0) d1 = d0 * 10;
  const x = linear(0, durationS, BOX.left, BOX.width - BOX.right);
  const y = log10(d0, d1, BOX.height - BOX.bottom, BOX.top);
  const series = (['p50', 'p90', 'p99'] as const).map((k) => {
    const d = gappedPath(points.map((p) => (p[k] === null ? null : ([x(p.t + 0.5), y(p[k]!)] as const))));
    return `<path class="line ${k}" d="${d}"/>`;
  });
  const refLines = refs
    .filter((r) => r.ms >= d0 && r.ms <= d1)
    .map((r) => {
      const yy = y(r.ms).toFixed(1);
      return `<g class="ref"><line x1="${BOX.left}" x2="${BOX.width - BOX.right}" y1="${yy}" y2="${yy}"/><text x="${BOX.width - BOX.right - 4}" y="${(Number(yy) - 5).toFixed(1)}" text-anchor="end">${esc(r.label)}</text></g>`;
    });
  const hover =
    points.length <= MAX_HOVER
      ? points.map((p) =>
          hoverRect(x, p.t, p.count === 0 ? `${p.t}–${p.t + 1} s · no samples` : `${p.t}–${p.t + 1} s · ${p.count} req · p50 ${ms(p.p50!)} · p90 ${ms(p.p90!)} · p99 ${ms(p.p99!)} · max ${ms(p.max!)}`),
        )
      : [];
  return (
    svgOpen('latency', `Latency percentiles over time, size class ${sizeClass}`) +
    faultBands(BOX, bandsOf(history, durationS), x) +
    yAxis(BOX, logTicks(d0, d1), y, ms, 'latency (log scale)') +
    xAxis(BOX, timeTicks(durationS), x) +
    refLines.join('') +
    series.join('') +
    hover.join('') +
    '</svg>'
  );
}

/** Requests per second by outcome (ok, failed, dropped), stacked, drawn as steps: one step per second bucket. */
export function throughputChart(history: History): string {
  const secs = denseSeconds(history);
  const durationS = Math.max(1, secs.length);
  const counts = secs.map(secondCounts);
  const peak = Math.max(1, ...counts.map((c) => c.scheduled));
  const ticks = linearTicks(peak);
  const x = linear(0, durationS, BOX.left, BOX.width - BOX.right);
  const y = linear(0, ticks[ticks.length - 1]!, BOX.height - BOX.bottom, BOX.top);
  // Step edges: each second contributes its left and right edge at the same height.
  const xs = secs.flatMap((_, t) => [x(t), x(t + 1)]);
  const stackAt = (f: (c: (typeof counts)[number]) => number) => counts.flatMap((c) => [y(f(c)), y(f(c))]);
  const base = stackAt(() => 0);
  const okTop = stackAt((c) => c.ok);
  const failTop = stackAt((c) => c.ok + c.failed);
  const dropTop = stackAt((c) => c.scheduled);
  const areas = [
    `<path class="area ok" d="${bandPath(xs, okTop, base)}"/>`,
    `<path class="area failed" d="${bandPath(xs, failTop, okTop)}"/>`,
    `<path class="area dropped" d="${bandPath(xs, dropTop, failTop)}"/>`,
  ];
  const hover =
    secs.length <= MAX_HOVER
      ? counts.map((c, t) => hoverRect(x, t, `${t}–${t + 1} s · ok ${c.ok} · failed ${c.failed} · dropped ${c.dropped}`))
      : [];
  return (
    svgOpen('throughput', 'Requests per second by outcome') +
    yAxis(BOX, ticks, y, shortNumber, 'requests / s') +
    areas.join('') +
    // Over the areas, not under: a filled stack would hide the window entirely.
    faultBands(BOX, bandsOf(history, durationS), x, 'overlay') +
    xAxis(BOX, timeTicks(durationS), x) +
    hover.join('') +
    '</svg>'
  );
}

function hoverRect(x: (v: number) => number, t: number, title: string): string {
  const x0 = x(t);
  return `<rect class="hover" x="${x0.toFixed(1)}" y="${BOX.top}" width="${(x(t + 1) - x0).toFixed(2)}" height="${BOX.height - BOX.top - BOX.bottom}"><title>${esc(title)}</title></rect>`;
}
