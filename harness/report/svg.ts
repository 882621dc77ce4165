/**
 * The few chart primitives report.html needs, drawn as inline SVG strings: scales, nice
 * ticks, axes, gapped lines, stacked areas and shaded fault windows. No chart library: a
 * report must open from a file on a machine with no network, years later.
 */
import { esc } from './escape.ts';

export interface Box {
  width: number;
  height: number;
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export type Scale = (v: number) => number;

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A base-10 log map from [d0, d1] (both > 0) to [r0, r1]; values ≤ 0 clamp to d0. */
export function log10(d0: number, d1: number, r0: number, r1: number): Scale {
  const l0 = Math.log10(d0);
  const l = linear(l0, Math.log10(d1), r0, r1);
  return (v) => l(v > 0 ? Math.log10(v) : l0);
}

/** Round tick values (1, 2, 5 × 10^k steps) covering [0, max], at most about `count` of them. */
export function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Ticks at 1, 2, 5 × 10^k between two powers of ten (only decades when the span is wide). */
export function logTicks(d0: number, d1: number): number[] {
  const decades = Math.log10(d1 / d0);
  const mults = decades > 4 ? [1] : [1, 2, 5];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(d0)); e <= Math.ceil(Math.log10(d1)); e++) {
    for (const m of mults) {
      const v = m * 10 ** e;
      if (v >= d0 * (1 - 1e-9) && v <= d1 * (1 + 1e-9)) out.push(Number(v.toPrecision(6)));
    }
  }
  return out;
}

/** Time ticks in seconds: a round step giving at most about `count` ticks over [0, max]. */
export function timeTicks(max: number, count = 10): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  const step = steps.find((s) => max / s <= count) ?? Math.ceil(max / count / 3600) * 3600;
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return out;
}

/** Seconds as `45s`, `2m`, `2m30s` or `1h05m` for an axis label. */
export function timeLabel(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s / 60}m`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)}h${String(m).padStart(2, '0')}`;
}

/** A compact number for axis labels: 1.5k, 20, 0.5. */
export function shortNumber(v: number): string {
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (Math.abs(v) >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** Horizontal grid lines with labels on the left. */
export function yAxis(box: Box, ticks: readonly number[], y: Scale, label: (v: number) => string, title: string): string {
  const x0 = box.left;
  const x1 = box.width - box.right;
  const lines = ticks
    .map((v) => {
      const yy = y(v).toFixed(1);
      return `<line class="grid" x1="${x0}" x2="${x1}" y1="${yy}" y2="${yy}"/><text class="tick" x="${x0 - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(label(v))}</text>`;
    })
    .join('');
  const mid = (box.top + box.height - box.bottom) / 2;
  return `<g class="axis y">${lines}<text class="axis-title" transform="translate(14 ${mid.toFixed(1)}) rotate(-90)" text-anchor="middle">${esc(title)}</text></g>`;
}

/** Vertical ticks along the bottom, labelled as run time. */
export function xAxis(box: Box, ticks: readonly number[], x: Scale): string {
  const yb = box.height - box.bottom;
  const marks = ticks
    .map((v) => {
      const xx = x(v).toFixed(1);
      return `<line class="tick-mark" x1="${xx}" x2="${xx}" y1="${yb}" y2="${yb + 5}"/><text class="tick" x="${xx}" y="${yb + 18}" text-anchor="middle">${esc(timeLabel(v))}</text>`;
    })
    .join('');
  return `<g class="axis x"><line class="baseline" x1="${box.left}" x2="${box.width - box.right}" y1="${yb}" y2="${yb}"/>${marks}</g>`;
}

/** An SVG path through the points, broken wherever a point is null (a second without samples). */
export function gappedPath(points: ReadonlyArray<readonly [number, number] | null>): string {
  let d = '';
  let run = 0;
  // A lone point between gaps would draw nothing; a hair-length segment shows it as a dot.
  const close = () => (run === 1 ? 'h0.1' : '');
  for (const p of points) {
    if (!p) {
      d += close();
      run = 0;
      continue;
    }
    d += `${run ? 'L' : 'M'}${p[0].toFixed(1)} ${p[1].toFixed(1)}`;
    run++;
  }
  return d + close();
}

/** A closed area between an upper and a lower series sharing x positions. */
export function bandPath(xs: readonly number[], upper: readonly number[], lower: readonly number[]): string {
  if (xs.length === 0) return '';
  const top = xs.map((x, i) => `${i ? 'L' : 'M'}${x.toFixed(1)} ${upper[i]!.toFixed(1)}`).join('');
  const bottom = xs
    .map((x, i) => [x, lower[i]!] as const)
    .reverse()
    .map(([x, y]) => `L${x.toFixed(1)} ${y.toFixed(1)}`)
    .join('');
  return `${top}${bottom}Z`;
}

export interface Band {
  name: string;
  fromS: number;
  toS: number;
  /** False when the fault was still active at the end of the run. */
  healed: boolean;
}

/**
 * Shaded fault windows with their names. Labels that would collide go on a lower row, so
 * overlapping or close faults stay readable.
 */
export function faultBands(box: Box, bands: readonly Band[], x: Scale, mode: 'under' | 'overlay' = 'under'): string {
  const rowsEnd: number[] = [];
  const y0 = box.top;
  const h = box.height - box.top - box.bottom;
  return bands
    .map((b) => {
      const x0 = x(b.fromS);
      const w = Math.max(2, x(b.toS) - x0);
      const text = b.healed ? b.name : `${b.name} (not healed)`;
      const textW = text.length * 6.2 + 8;
      let row = rowsEnd.findIndex((end) => end <= x0);
      if (row === -1) row = Math.min(rowsEnd.length, 1);
      rowsEnd[row] = Math.max(rowsEnd[row] ?? 0, x0 + textW);
      // Two rows fit in the strip above the plot (box.top); the second sits just above it.
      const ty = y0 - 19 + row * 13;
      const tip = `${b.name}: ${b.fromS.toFixed(1)} s – ${b.healed ? `${b.toS.toFixed(1)} s` : 'end of run (not healed)'}`;
      return (
        `<g class="fault-window ${mode}" data-fault="${esc(b.name)}"><title>${esc(tip)}</title>` +
        `<rect class="fault-band" x="${x0.toFixed(1)}" y="${y0}" width="${w.toFixed(1)}" height="${h}"/>` +
        `<rect class="fault-bar" x="${x0.toFixed(1)}" y="${y0 - 4}" width="${w.toFixed(1)}" height="4"/>` +
        `<line class="fault-edge" x1="${x0.toFixed(1)}" x2="${x0.toFixed(1)}" y1="${ty - 10}" y2="${y0 + h}"/>` +
        `<line class="fault-edge" x1="${(x0 + w).toFixed(1)}" x2="${(x0 + w).toFixed(1)}" y1="${y0}" y2="${y0 + h}"/>` +
        `<text class="fault-label" x="${(x0 + 4).toFixed(1)}" y="${ty}">${esc(text)}</text></g>`
      );
    })
    .join('');
}
