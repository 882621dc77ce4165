/**
 * Where the CPU of one resize goes: per-process CPU (user + system, from /proc/<pid>/stat)
 * per completed request over a closed-loop run against the embedded stack, plus this load
 * generator's own. Prints a table; appends nothing.
 *
 * Options (env): BENCH_IMAGE (a path), BENCH_QUERY, BENCH_SECONDS (default 10),
 * BENCH_INFLIGHT (default 3 per core), BENCH_NODE_ARGS (e.g. '--cpu-prof' for every process),
 * BENCH_KEEP_DIR (keep logs there), BENCH_CLIENT=undici (undici instead of the lean client).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { repoRoot } from '../harness/stack/process.ts';
import { closedLoop, type LeanTarget } from './lean-client.ts';
import { startBenchStack } from './stack.ts';
import { cpuSecondsOf } from './proc.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const image = readFileSync(process.env.BENCH_IMAGE ?? join(repoRoot, '..', 'shared', 'fixtures', 'images', '2569067123_aca715a2ee_o.jpg'));
const query = process.env.BENCH_QUERY ?? 'width=320&format=jpeg';
const inFlight = Number(process.env.BENCH_INFLIGHT ?? availableParallelism() * 3);

/** The same closed loop over undici, to measure what a general-purpose client costs. */
async function undiciLoop(t: LeanTarget, apiUrl: string, durationS: number): Promise<number> {
  const pool = new Pool(apiUrl, { connections: 32, pipelining: 1 });
  const until = performance.now() + durationS * 1000;
  let ok = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const r = await pool.request({ method: 'POST', path: t.path, headers: t.headers, body: t.body });
        await r.body.arrayBuffer();
        if (r.statusCode === 200) ok++;
      }
    }),
  );
  await pool.close();
  return ok;
}

const b = await startBenchStack({ dir: process.env.BENCH_KEEP_DIR, nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean) });
try {
  const { stack } = b;
  const target = b.target(image, query);
  const run = async (s: number) => (process.env.BENCH_CLIENT === 'undici' ? undiciLoop(target, stack.apiUrl, s) : (await closedLoop(target, s, inFlight)).ok);
  const procs = { api: stack.apis[0]!, broker: stack.broker, worker: stack.workers[0]!, usage: stack.usage, identity: stack.identity };
  await run(2);
  const before = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuSecondsOf(p.pid!)]));
  const self0 = process.cpuUsage();
  const ok = await run(seconds);
  const self1 = process.cpuUsage(self0);
  const rows: [string, number][] = Object.entries(procs).map(([k, p]) => [k, ((cpuSecondsOf(p.pid!) - before[k]!) * 1000) / ok]);
  rows.push(['loadgen', (self1.user + self1.system) / 1000 / ok]);
  console.log(`${image.length} bytes -> ${query}: ${(ok / seconds).toFixed(1)} resizes/s`);
  for (const [k, ms] of rows) console.log(`${k.padEnd(9)} ${ms.toFixed(2)} ms/request`);
  console.log(`total     ${rows.reduce((a, [, m]) => a + m, 0).toFixed(2)} ms/request`);
} finally {
  await b.stop();
}
