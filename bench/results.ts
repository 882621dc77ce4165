/**
 * What every benchmark writes into bench/RESULTS.md the same way: a section heading with
 * the date and the machine, and the append itself (skipped with BENCH_NO_APPEND=1).
 */
import { appendFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * The machine a figure was measured on: CPU model and cores (/proc/cpuinfo), memory, Node.
 * The machine's cores, not availableParallelism(): a bench pinned to one CPU would say 1.
 */
export function machine(): string {
  const all = cpus();
  return `${all[0]?.model ?? 'unknown CPU'}, ${all.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** `### <date> UTC — [<what> — ]<machine>`: the heading of one run's section. */
export function resultsHeading(at: Date, what?: string): string {
  return `### ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC — ${what ? `${what} — ` : ''}${machine()}`;
}

/** Appends `text` to bench/RESULTS.md unless BENCH_NO_APPEND is set; true when it did. */
export function appendResults(text: string): boolean {
  if (process.env.BENCH_NO_APPEND) return false;
  appendFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), text);
  return true;
}
