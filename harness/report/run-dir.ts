/** Where runs are stored: `runs/<scenario>/<YYYYMMDD-HHMMSS>/` (Jepsen's `store/`). */
import { join } from 'node:path';

/**
 * The directory for one run under `base` (the project root, usually): `base/runs/<scenario>/<UTC stamp>`.
 * Pure: it creates nothing. UTC so that stamps sort and never repeat at a DST change; the
 * scenario name is reduced to a safe path segment so it can never climb out of `runs/`.
 */
export function runDir(base: string, scenario: string, now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const safe = scenario.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'unnamed';
  return join(base, 'runs', safe, stamp);
}
