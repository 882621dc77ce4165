/** Number formatting shared by checker reasons, so messages read the same everywhere. */

/** A figure rounded for people: 4 significant digits, never exponent notation for ordinary SLA figures. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1000) return String(Math.round(n));
  if (abs < 1e-6) return n.toExponential(2);
  return String(Number(n.toPrecision(4)));
}

/** A ratio as a percentage with enough digits to tell 99.99 % from 99.995 % (never rounded up to 100 %). */
export function pct(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  const p = ratio * 100;
  if (p === 0 || p === 100) return `${p} %`;
  let s = String(Number(p.toPrecision(6)));
  // 99.99999 rounds to 100 at six digits: show it as just under, the way an availability reads.
  if (s === '100' && p < 100) s = '99.9999';
  return `${s} %`;
}

/** Rounds a figure stored in report.json so that it stays readable but loses no meaningful precision. */
export function round(n: number, digits = 6): number {
  return Number.isFinite(n) ? Number(n.toPrecision(digits)) : n;
}
