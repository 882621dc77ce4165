/**
 * `npm run bench:idle`: what the stack `npm start` runs costs while nobody uses it — CPU
 * time per second of wall time, per process and in all, read from /proc. A stack that burns
 * CPU idle takes it from whatever shares the machine, and across a fleet's quiet hours adds up.
 *
 * Runs the real `nines start` as `npm start` does, from the build (forced first, as on a
 * fresh machine; no process of the stack compiles anything), every port free, data in a
 * temporary folder; waits until it
 * prints that it is running, lets it settle for BENCH_SETTLE seconds, then measures every
 * process of its tree over BENCH_SECONDS. The clock ticks of /proc are 10 ms: over 120 s a
 * process's figure is good to about ±0.1 ms/s.
 *
 * Env: BENCH_SETTLE (s, default 30), BENCH_SECONDS (120), BENCH_SCRAPE_INTERVAL (s, passed as
 * `--scrape-interval`; default: what `nines start` defaults to), BENCH_NO_APPEND=1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/stack/process.ts';
import { build, builtPath } from '../scripts/build.mjs';
import { cpuSecondsOf, processTree } from './proc.ts';
import { appendResults, resultsHeading } from './results.ts';

const settleS = Number(process.env.BENCH_SETTLE ?? 30);
const seconds = Number(process.env.BENCH_SECONDS ?? 120);
const scrapeInterval = process.env.BENCH_SCRAPE_INTERVAL;
const say = (s: string) => process.stderr.write(`${s}\n`);

/** A short name for a process of the stack, from its command line. */
function nameOf(pid: number): string {
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  return /system\/(\w+)\/main\.[jt]s/.exec(cmd)?.[1] ?? (/harness\/cli\.[jt]s/.test(cmd) ? 'nines start (supervisor, SLA page)' : cmd.split(' ')[0]!.split('/').pop()!);
}

const sample = (pids: number[]) =>
  new Map(
    pids.flatMap((p) => {
      try {
        return [[p, cpuSecondsOf(p)] as const];
      } catch {
        return [];
      }
    }),
  );

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-idle-'));
  await build({ force: true });
  const args = ['--enable-source-maps', builtPath('harness/cli.ts'), 'start', '--port', '0', '--admin-port', '0', '--prometheus-port', '0', '--dashboard-port', '0', '--dir', dir, ...(scrapeInterval ? ['--scrape-interval', scrapeInterval] : [])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`nines start did not report running within 120 s:\n${out}`)), 120_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!out.includes('nines is running')) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nines start exited with ${code}:\n${out}`));
      });
    });
    say(`idle: nines start is running; settling ${settleS} s, then measuring ${seconds} s`);
    await new Promise((r) => setTimeout(r, settleS * 1000));
    const pids = processTree(child.pid!);
    const names = new Map(pids.map((p) => [p, nameOf(p)]));
    const before = sample(pids);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const after = sample(pids);
    const rows = [...before].filter(([p]) => after.has(p)).map(([p, c]) => ({ name: names.get(p)!, msPerS: ((after.get(p)! - c) * 1000) / seconds }));
    rows.sort((a, b) => b.msPerS - a.msPerS);
    const total = rows.reduce((a, r) => a + r.msPerS, 0);
    const text = [
      `\n${resultsHeading(new Date(), 'idle cost of npm start (bench/idle.ts)')}\n`,
      `\`nines start\`${scrapeInterval ? ` --scrape-interval ${scrapeInterval}` : ''} (every process, Prometheus scraping, the SLA page) left alone: CPU time from /proc over ${seconds} s after ${settleS} s to settle.\n`,
      '| process | CPU ms per second |',
      '|---|---|',
      ...rows.map((r) => `| ${r.name} | ${r.msPerS.toFixed(2)} |`),
      `| **all** | **${total.toFixed(2)}** |`,
      '',
    ].join('\n');
    process.stdout.write(text);
    if (appendResults(text)) say('appended to bench/RESULTS.md');
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
