/**
 * Where the CPU of one resize goes. Alternates phases of raw in-process sharp (the
 * baseline of `npm run bench`) with closed-loop phases against the embedded stack, and
 * prints for each phase:
 *
 * - raw: resizes/s and this process's CPU per resize, split by thread kind (main, libuv
 *   pool `node`, `libvips worker`);
 * - stack: requests/s and each process's CPU per request (user + system, from /proc), this
 *   load generator's included, with the worker split by thread kind the same way, so the
 *   worker's cost can be set against raw sharp's on the same minute of the same machine;
 * - both: how busy the machine was (from /proc/stat).
 *
 * Thread kinds are read from /proc/<pid>/task, which forgets threads that exit, so the
 * split can sum to less than the process total when libvips retires idle threads.
 * Appends nothing to RESULTS.md; writes the CPU per request of each process kind to
 * runs/bench-cpu-split/<time>/measurement.json (bench/measurement.ts), which nines plan reads.
 *
 * Options (env): BENCH_IMAGE (a path), BENCH_QUERY, BENCH_SECONDS per phase (default 10),
 * BENCH_ROUNDS (default 2), BENCH_WARMUP seconds (default 60), BENCH_INFLIGHT (default 3
 * per core), BENCH_NODE_ARGS (e.g. '--cpu-prof' for every service), BENCH_KEEP_DIR (keep
 * logs there), BENCH_CLIENT=undici (undici instead of the lean client, to see what a
 * general-purpose client costs). The workers' CPU is summed (one per core by default).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { Pool } from 'undici';
import { repoRoot } from '../harness/stack/process.ts';
import { rawSharp, resizeParamsOf } from './raw-sharp.ts';
import { closedLoop, type LeanTarget } from './lean-client.ts';
import { stackCpuSeconds, startBenchStack, warmupS } from './stack.ts';
import { busyWhile, threadCpuMs } from './proc.ts';
import { writeMeasurement } from './measurement.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const imagePath = process.env.BENCH_IMAGE ?? join(repoRoot, '..', 'shared', 'fixtures', 'images', '2569067123_aca715a2ee_o.jpg');
const image = readFileSync(imagePath);
const query = process.env.BENCH_QUERY ?? 'width=320&format=jpeg';
const cores = availableParallelism();
const inFlight = Number(process.env.BENCH_INFLIGHT ?? cores * 3);

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

/** Runs `phase`, returning its count and the machine's busy share meanwhile. */
async function measured(phase: () => Promise<number>) {
  const { result: n, busy } = await busyWhile(phase);
  return { n, busy: `busy ${(busy * 100).toFixed(1)} %` };
}

const perThread = (before: Record<string, number>, after: Record<string, number>, n: number) =>
  Object.entries(after)
    .map(([kind, ms]) => `${kind} ${((ms - (before[kind] ?? 0)) / n).toFixed(2)}`)
    .join(', ');

const started = new Date();
/** CPU ms per request of each process kind, one entry per round (written for `nines plan`). */
const perRequest: Array<Record<string, number>> = [];
const b = await startBenchStack({ dir: process.env.BENCH_KEEP_DIR, nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean) });
try {
  const { stack } = b;
  const target = b.target(image, query);
  const run = async (s: number) => (process.env.BENCH_CLIENT === 'undici' ? undiciLoop(target, stack.apiUrl, s) : (await closedLoop(target, s, inFlight)).ok);
  const workerPids = stack.workers.map((w) => w.pid!);
  const workerThreads = () => {
    const sum: Record<string, number> = {};
    for (const pid of workerPids) for (const [k, ms] of Object.entries(threadCpuMs(pid))) sum[k] = (sum[k] ?? 0) + ms;
    return sum;
  };
  console.log(`${image.length} bytes -> ${query}; ${rounds} rounds of ${seconds} s raw and stack phases; ${inFlight} requests in flight; CPU in ms per resize`);
  const params = resizeParamsOf(query);
  await rawSharp(image, params, 2, cores);
  await run(warmupS); // until the services' hot paths are optimised (stack.ts)
  for (let i = 0; i < rounds; i++) {
    const rawThreads = threadCpuMs(process.pid);
    const self0 = process.cpuUsage();
    const raw = await measured(() => rawSharp(image, params, seconds, cores));
    const self1 = process.cpuUsage(self0);
    console.log(`raw    ${(raw.n / seconds).toFixed(1)}/s; ${((self1.user + self1.system) / 1000 / raw.n).toFixed(2)} (${perThread(rawThreads, threadCpuMs(process.pid), raw.n)}); ${raw.busy}`);

    // CPU seconds per process kind; the workers (one per core by default) summed.
    const before = stackCpuSeconds(stack);
    const workerThreads0 = workerThreads();
    const gen0 = process.cpuUsage();
    const st = await measured(() => run(seconds));
    const gen1 = process.cpuUsage(gen0);
    const after = stackCpuSeconds(stack);
    const rows = Object.entries(after).map(([k, cpu]) => [k, ((cpu - before[k as keyof typeof before]) * 1000) / st.n] as const);
    const loadgen = (gen1.user + gen1.system) / 1000 / st.n;
    const total = rows.reduce((a, [, ms]) => a + ms, loadgen);
    perRequest.push(Object.fromEntries(rows));
    console.log(`stack  ${(st.n / seconds).toFixed(1)}/s; ${total.toFixed(2)}: ${rows.map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(', ')}, loadgen ${loadgen.toFixed(2)}; ${st.busy}`);
    console.log(`       worker by thread: ${perThread(workerThreads0, workerThreads(), st.n)}`);
  }
} finally {
  await b.stop();
}
// One usage record per request, so the usage process's CPU per request is its CPU per record.
const file = writeMeasurement('cpu-split', started, { image: basename(imagePath), imageBytes: image.length, query, cpuMsPerRequest: perRequest });
console.log(`wrote ${file}`);
