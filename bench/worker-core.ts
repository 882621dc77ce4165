/**
 * The worker's own efficiency: what share of a core given to a worker goes into resizing.
 *
 * `npm run bench` measures the one-box figure: the whole stack on this machine's
 * cores against raw sharp on the same cores. There the api, the broker and the load
 * generator take their CPU from the same cores as sharp. In a deployment they run on other
 * machines, and what sizes the fleet is how much of a worker machine resizes. This measures
 * that on one machine by splitting it: the worker is pinned to the last CPU with one job in
 * flight (the cores it is given), everything else (api, broker, usage, identity, this load
 * generator) to the other CPUs. The baseline is raw sharp in a child process pinned to that
 * same CPU, one resize at a time, in phases alternating with the stack's (the host's speed
 * drifts).
 *
 * Prints per round: raw resizes/s and CPU per resize; the stack's requests/s, the worker's
 * CPU per job, and how busy the worker's CPU was. Appends nothing.
 *
 * Options (env): BENCH_IMAGE, BENCH_QUERY, BENCH_SECONDS per phase (default 5),
 * BENCH_ROUNDS (default 6), BENCH_WARMUP seconds (default 60), BENCH_INFLIGHT (default 3).
 * Needs 2 or more CPUs and `taskset` (util-linux).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/stack/process.ts';
import { resizeParamsOf, startRawProcesses } from './raw-sharp.ts';
import { closedLoop } from './lean-client.ts';
import { startBenchStack, warmupS } from './stack.ts';
import { busyWhile, cpuSecondsOf, pinToCpus } from './proc.ts';
import { median, ratioList } from './stats.ts';

const imagePath = process.env.BENCH_IMAGE ?? join(repoRoot, '..', 'shared', 'fixtures', 'images', '2569067123_aca715a2ee_o.jpg');
const query = process.env.BENCH_QUERY ?? 'width=320&format=jpeg';

await main();

async function main() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
  const inFlight = Number(process.env.BENCH_INFLIGHT ?? 3);
  const cpus = availableParallelism();
  if (cpus < 2) throw new Error('bench/worker-core.ts needs at least 2 CPUs: one for the worker, the rest for everything else');
  const workerCpu = cpus - 1;
  const others = cpus === 2 ? '0' : `0-${cpus - 2}`;

  const image = readFileSync(imagePath);
  const raw = await startRawProcesses(image, resizeParamsOf(query), 1, 1, [String(workerCpu)]);
  const b = await startBenchStack({ workers: 1, workerConcurrency: 1 });
  try {
    const { stack } = b;
    const worker = stack.workers[0]!.pid!;
    pinToCpus(worker, String(workerCpu));
    for (const p of [stack.apis[0]!, stack.broker, stack.usage, stack.identity]) pinToCpus(p.pid!, others);
    pinToCpus(process.pid, others);

    const target = b.target(image, query);
    const say = (s: string) => process.stderr.write(`${s}\n`);
    say(`worker pinned to CPU ${workerCpu} with 1 job in flight; api, broker, usage, identity and the load generator on CPU ${others}; ${warmupS} s warm-up, ${rounds} rounds of ${seconds} s`);
    await raw.run(2);
    await closedLoop(target, warmupS, inFlight);

    const ratios: number[] = [];
    let before = await raw.run(seconds);
    for (let i = 0; i < rounds; i++) {
      const w0 = cpuSecondsOf(worker);
      const { result: st, busy } = await busyWhile(() => closedLoop(target, seconds, inFlight), workerCpu);
      const workerMs = ((cpuSecondsOf(worker) - w0) * 1000) / st.ok;
      const after = await raw.run(seconds);
      const rawRate = (before.n + after.n) / 2 / seconds;
      const ratio = st.ok / seconds / rawRate;
      ratios.push(ratio);
      say(
        `round ${i + 1}: raw ${(before.n / seconds).toFixed(1)}/s (${(before.cpuMs / before.n).toFixed(2)} ms), ` +
          `stack ${(st.ok / seconds).toFixed(1)}/s (worker ${workerMs.toFixed(2)} ms per job, its CPU ${(busy * 100).toFixed(1)} % busy, ${st.errors} errors), ` +
          `raw ${(after.n / seconds).toFixed(1)}/s; ratio ${ratio.toFixed(3)}`,
      );
      before = after;
    }
    const ratio = median(ratios);
    say(`worker on its own core vs raw sharp on that core: median ${ratio.toFixed(3)} (${ratioList(ratios)})`);
    console.log(JSON.stringify({ ratio, ratios }));
  } finally {
    raw.stop();
    await b.stop();
  }
}
