/**
 * The machine-readable side of a benchmark: one `measurement.json` per run under
 * `runs/bench-<name>/<UTC stamp>/`, beside the scenario runs, so `nines plan` can size a tier
 * from the latest figure and name where it came from. RESULTS.md stays the human record.
 * The folder is the repository's `runs/` unless NINES_RUNS_DIR names another base.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/stack/process.ts';
import { runDir } from '../harness/report/run-dir.ts';
import { machine } from './results.ts';

/** Writes `{ format, bench, startedAt, machine, ...figures }` and returns the file's path. */
export function writeMeasurement(bench: string, startedAt: Date, figures: Record<string, unknown>): string {
  const dir = runDir(process.env.NINES_RUNS_DIR ?? repoRoot, `bench-${bench}`, startedAt);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'measurement.json');
  writeFileSync(file, `${JSON.stringify({ format: 'nines.measurement/1', bench, startedAt: startedAt.toISOString(), machine: machine(), ...figures }, null, 2)}\n`);
  return file;
}
