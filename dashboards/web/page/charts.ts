/**
 * The two charts, drawn by uPlot (bundled from node_modules): the error budget left per SLO
 * over the chosen range, and latency percentiles per size class with the fault windows of
 * stored chaos runs shaded. uPlot shows times in the reader's time zone.
 */
import uPlot from 'uplot';
import type { Burndown, FaultWindow, Latency } from '../schema.ts';
import { el } from './dom.ts';

/** Okabe–Ito colours: told apart by readers with any common colour-vision deficiency. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];

type Points = [number, number | null][];

/** Aligns series onto one time grid, as uPlot wants (Prometheus omits points it has no data for). */
function aligned(start: number, end: number, step: number, series: Points[], keepFrom = Infinity): uPlot.AlignedData {
  const xs: number[] = [];
  for (let t = start; t <= end && xs.length < 10_000; t += step) xs.push(t);
  const ys = series.map((pts) => {
    const m = new Map(pts.map(([t, v]) => [Math.round(t), v]));
    return xs.map((t) => m.get(t) ?? null);
  });
  // A stack minutes old would be a sliver at the right edge of a day: start where the data
  // (or a fault window to shade, from `keepFrom`) starts.
  const starts = ys.map((y) => y.findIndex((v) => v !== null)).filter((i) => i >= 0);
  const first = Math.min(starts.length ? Math.min(...starts) : 0, Math.max(0, Math.floor((keepFrom - start) / step)));
  return [xs.slice(first), ...ys.map((y) => y.slice(first))];
}

function chart(host: HTMLElement, title: string, unit: string, names: string[], data: uPlot.AlignedData, bands: FaultWindow[] = []): void {
  const width = Math.max(280, host.clientWidth || 600);
  const opts: uPlot.Options = {
    title,
    width,
    height: 220,
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length]!, width: 2, dash: i % 2 ? [6, 3] : undefined, spanGaps: false }))],
    axes: [{}, { label: unit, size: 60 }],
    hooks: { drawClear: [(u: uPlot) => shadeFaults(u, bands)] },
  };
  const box = el('div', { class: 'chart', role: 'img', 'aria-label': title });
  host.append(box);
  new uPlot(opts, data, box);
}

/** Fault windows as hatched-grey bands behind the lines, labelled with the fault's name. */
function shadeFaults(u: uPlot, bands: FaultWindow[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  for (const b of bands) {
    const x0 = u.valToPos(b.from, 'x', true);
    const x1 = u.valToPos(b.to, 'x', true);
    if (x1 < bbox.left || x0 > bbox.left + bbox.width) continue;
    ctx.fillStyle = 'rgba(85, 85, 85, 0.18)';
    ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
    ctx.fillStyle = '#333';
    ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
    ctx.fillText(`${b.scenario}: ${b.fault}`, x0 + 3, bbox.top + 12 * devicePixelRatio);
  }
  ctx.restore();
}

export function renderBurndown(host: HTMLElement, d: Burndown): void {
  host.replaceChildren();
  if (d.series.length === 0) {
    host.append(el('p', { class: 'empty', 'data-empty': 'burndown' }, 'No error budget data in this range yet.'));
    return;
  }
  const pct = d.series.map((s) => s.points.map(([t, v]) => [t, v === null ? null : v * 100] as [number, number | null]));
  chart(host, 'Error budget left', '% of budget', d.series.map((s) => s.slo), aligned(d.start, d.end, d.step, pct));
}

export function renderLatency(host: HTMLElement, d: Latency): void {
  host.replaceChildren();
  const classes = [...new Set(d.series.map((s) => s.sizeClass))];
  if (classes.length === 0) {
    host.append(el('p', { class: 'empty', 'data-empty': 'latency' }, 'No requests in this range yet.'));
    return;
  }
  for (const c of classes) {
    const mine = d.series.filter((s) => s.sizeClass === c);
    chart(host, `Latency, ${c}`, 'ms', mine.map((s) => `p${s.quantile * 100}`), aligned(d.start, d.end, d.step, mine.map((s) => s.points), Math.min(...d.faults.map((f) => f.from))), d.faults);
  }
  if (d.faults.length) host.append(el('p', { class: 'quiet' }, `Shaded: ${d.faults.length} fault window(s) of stored chaos runs.`));
}
