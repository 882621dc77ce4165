/** Human durations for the command line and scenarios: `500ms`, `30s`, `2m`, `1h`, `1m30s`. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration such as `500ms`, `30s`, `2m` or `1m30s`; throws a RangeError naming the input otherwise. */
export function parseDurationMs(text: string): number {
  const s = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  let parts = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
    parts++;
  }
  if (!parts || end !== s.length || total <= 0) throw new RangeError(`invalid duration '${text}': use a positive number with a unit, e.g. 500ms, 30s, 2m, 1m30s`);
  return total;
}
