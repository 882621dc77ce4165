/**
 * The queue's cost inside the whole stack: the embedded stack (bench/stack.ts) driven with
 * tiny images — a 32x32 JPEG resized to 8 px — so resizing costs next to nothing and the
 * per-request overhead of HTTP, the api, the broker and the worker's message handling is
 * what is left. A closed loop of 48 requests in flight over 6 tenants (8 each, far under
 * their limits) runs for BENCH_SECONDS after BENCH_WARMUP; it reports requests/s and the
 * CPU milliseconds per request of each process, from /proc, this load generator's included.
 * Every service logs at `info`, as deployed: the broker writes one line per dispatch.
 *
 *   node --import tsx bench/queue-stack.ts
 *
 * Options (env): BENCH_SECONDS (default 20), BENCH_WARMUP seconds (default 30; the broker's
 * hot path needs tens of seconds to settle, bench/stack.ts), BENCH_INFLIGHT (default 48),
 * BENCH_TENANTS (default 6), BENCH_NODE_ARGS (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' for
 * every service), BENCH_KEEP_DIR (keep logs there), BENCH_NO_APPEND=1 (print only).
 * The stack is bench/stack.ts's: one api, one worker process per core with one job each.
 */
import sharp from 'sharp';
import { availableParallelism } from 'node:os';
import { closedLoop, type ClosedLoopResult, type LeanTarget } from './lean-client.ts';
import { stackCpuSeconds, startBenchStack } from './stack.ts';
import { busyWhile } from './proc.ts';
import { appendResults, resultsHeading } from './results.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const warmupS = Number(process.env.BENCH_WARMUP ?? 30);
const inFlight = Number(process.env.BENCH_INFLIGHT ?? 48);
const tenants = Number(process.env.BENCH_TENANTS ?? 6);
const query = 'width=8';
const say = (s: string) => process.stderr.write(`${s}\n`);

/** The closed loop spread evenly over the tenants' keys; counts summed. */
async function load(targets: LeanTarget[], durationS: number): Promise<ClosedLoopResult> {
  const per = targets.map((_, i) => Math.floor(inFlight / targets.length) + (i < inFlight % targets.length ? 1 : 0));
  const rs = await Promise.all(targets.map((t, i) => closedLoop(t, durationS, per[i]!)));
  return rs.reduce((a, r) => ({ ok: a.ok + r.ok, errors: a.errors + r.errors }), { ok: 0, errors: 0 });
}

const image = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg().toBuffer();
const b = await startBenchStack({ dir: process.env.BENCH_KEEP_DIR, nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), tenants, logLevel: 'info' });
try {
  const { stack } = b;
  const targets = b.apiKeys.map((key) => b.target(image, query, key));
  say(`queue-stack: ${image.length}-byte 32x32 JPEG -> ${query}; ${inFlight} in flight over ${tenants} tenants; ${warmupS} s warm-up, then ${seconds} s`);
  await load(targets, warmupS);
  const before = stackCpuSeconds(stack);
  const gen0 = process.cpuUsage();
  const { result: r, busy } = await busyWhile(() => load(targets, seconds));
  const gen = process.cpuUsage(gen0);
  const after = stackCpuSeconds(stack);
  const perRequest = (cpuS: number) => (cpuS * 1000) / r.ok;
  const rows: [string, number][] = [...Object.entries(after).map(([k, s]) => [k, perRequest(s - before[k as keyof typeof before])] as [string, number]), ['load generator', (gen.user + gen.system) / 1000 / r.ok]];
  const total = rows.reduce((a, [, ms]) => a + ms, 0);
  const table = [
    `| process | CPU ms per request | share |`,
    `|---|---|---|`,
    ...rows.map(([k, ms]) => `| ${k}${k === 'worker' ? ` (${stack.workers.length} processes)` : ''} | ${ms.toFixed(3)} | ${((ms / total) * 100).toFixed(0)} % |`),
    `| **all** | **${total.toFixed(3)}** | machine ${(busy * 100).toFixed(0)} % busy |`,
  ].join('\n');
  const text = [
    '',
    resultsHeading(new Date(), 'queue in the whole stack (bench/queue-stack.ts)'),
    '',
    `\`node --import tsx bench/queue-stack.ts\`: the embedded stack (1 api, ${stack.workers.length} worker processes with one job each, broker, usage, identity; every service at log level info) on ${availableParallelism()} cores, ` +
      `a ${image.length}-byte 32x32 JPEG resized to 8 px, closed loop of ${inFlight} requests over ${tenants} tenants, ${seconds} s after a ${warmupS} s warm-up.`,
    '',
    `**${(r.ok / seconds).toFixed(0)} requests/s**, ${r.errors} errors.`,
    '',
    table,
    '',
  ].join('\n');
  console.log(text);
  if (appendResults(text)) say('appended to bench/RESULTS.md');
} finally {
  await b.stop();
}
