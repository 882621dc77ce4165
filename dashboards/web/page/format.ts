/**
 * How the page writes figures. The tests format the values they compute themselves with
 * these same functions, so a card and the test agree to the digit or the test fails.
 * Fixed digits rather than the reader's locale: a budget of "43.2 min" reads the same everywhere.
 */
export const NONE = '—';

/** A ratio as a percentage: 0.99953 → "99.953 %". */
export function percent(ratio: number | null, digits: number): string {
  return ratio === null ? NONE : `${(ratio * 100).toFixed(digits)} %`;
}

/** The SLI and the objective, with the digits a 99.99 % objective needs. */
export const sliText = (ratio: number | null) => percent(ratio, 3);

/** Budget left as a share of the whole 30-day budget (negative once overspent). */
export const budgetText = (ratio: number | null) => percent(ratio, 1);

export function minutesText(minutes: number | null): string {
  return minutes === null ? NONE : `${minutes.toFixed(1)} min`;
}

/** A burn rate: 1× spends the budget in exactly the 30-day window. */
export function burnText(rate: number | null): string {
  return rate === null ? NONE : `${rate.toFixed(2)}×`;
}

export function secondsText(s: number | null): string {
  return s === null ? NONE : `${s.toFixed(1)} s`;
}

export function countText(n: number | null): string {
  return n === null ? NONE : String(n);
}

/** A time in the reader's own time zone, zone named, e.g. "3 Dec 2026, 13:02:07 CET". */
export function whenText(iso: string | number): string {
  const d = typeof iso === 'number' ? new Date(iso * 1000) : new Date(iso);
  // dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).format(d);
}
