/**
 * `npm run bench:warm-start`: how much a freshly started stack gives in its first seconds,
 * against what the same stack gives once warm. An autoscaling fleet starts instances exactly
 * when it needs their throughput, so a slow first minute is capacity missing when it counts.
 *
 * Per round: a fresh stack as `npm start` runs it (one worker, cores + 1 jobs), loaded the
 * moment it reports ready by a closed loop of 8 in flight (bench/lean-client.ts) for
 * COLD_SECONDS (the "first 10 s" figure), kept under load until WARM_AFTER seconds, then
 * measured again for COLD_SECONDS (the warm figure); the ratio is cold / warm of the same
 * stack, so the host's drift between rounds does not enter it. Each second of the cold window
 * is printed too.
 *
 * Env: BENCH_ROUNDS (3), BENCH_COLD_SECONDS (10), BENCH_WARM_AFTER (60),
 * BENCH_NODE_ARGS (extra node flags for every service, to try one), BENCH_NO_APPEND=1.
 */
import { defaultWorkerConcurrency } from '../system/lib/config.ts';
import { readPhoto, referenceJpeg } from './images.ts';
import { closedLoop, type LeanTarget } from './lean-client.ts';
import { appendResults, resultsHeading } from './results.ts';
import { stackCpuSeconds, startBenchStack, type BenchStack } from './stack.ts';
import { median, ratioList } from './stats.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const coldS = Number(process.env.BENCH_COLD_SECONDS ?? 10);
const warmAfterS = Number(process.env.BENCH_WARM_AFTER ?? 60);
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const IN_FLIGHT = 8;
const QUERY = 'width=320&format=jpeg&quality=80';
const say = (s: string) => process.stderr.write(`${s}\n`);
const cpu = (ms: number) => ms.toFixed(2);

interface Window {
  rate: number;
  perSecond: number[];
  /** CPU ms per resize of the api + broker (the JavaScript that has to warm up), and of the worker. */
  frontMs: number;
  workerMs: number;
}

/** Resizes per second over `seconds`, per one-second slice of it, and the CPU they took. */
async function measure(b: BenchStack, target: LeanTarget, seconds: number): Promise<Window> {
  const perSecond: number[] = [];
  const c0 = stackCpuSeconds(b.stack);
  for (let i = 0; i < seconds; i++) perSecond.push((await closedLoop(target, 1, IN_FLIGHT)).ok);
  const c1 = stackCpuSeconds(b.stack);
  const n = Math.max(1, perSecond.reduce((a, x) => a + x, 0));
  return {
    rate: n / seconds,
    perSecond,
    frontMs: ((c1.api - c0.api + c1.broker - c0.broker) * 1000) / n,
    workerMs: ((c1.worker - c0.worker) * 1000) / n,
  };
}

interface Round {
  startS: number;
  cold: Window;
  warm: Window;
}

async function round(image: Buffer): Promise<Round> {
  const t0 = performance.now();
  const b = await startBenchStack({ workers: 1, workerConcurrency: defaultWorkerConcurrency(), logLevel: 'info', nodeArgs });
  const startS = (performance.now() - t0) / 1000;
  try {
    const target = b.target(image, QUERY);
    const cold = await measure(b, target, coldS);
    await closedLoop(target, Math.max(0, warmAfterS - coldS), IN_FLIGHT);
    const warm = await measure(b, target, coldS);
    return { startS, cold, warm };
  } finally {
    await b.stop();
  }
}

async function main(): Promise<void> {
  // The 1600x1306 reference of bench/peer.ts: the same image, so the figures compare.
  const image = await referenceJpeg(readPhoto(), 85);
  say(`warm-start: ${rounds} fresh stacks, ${coldS} s measured from ready, again after ${warmAfterS} s${nodeArgs.length ? `; node ${nodeArgs.join(' ')}` : ''}`);
  const results: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = await round(image);
    results.push(r);
    say(`  round ${i + 1}: ready in ${r.startS.toFixed(1)} s; first ${coldS} s ${r.cold.rate.toFixed(1)}/s (${r.cold.perSecond.join(' ')}), warm ${r.warm.rate.toFixed(1)}/s: ${(r.cold.rate / r.warm.rate).toFixed(3)}; api+broker ${cpu(r.cold.frontMs)} → ${cpu(r.warm.frontMs)}, worker ${cpu(r.cold.workerMs)} → ${cpu(r.warm.workerMs)} ms CPU per resize`);
  }
  const ratios = results.map((r) => r.cold.rate / r.warm.rate);
  const text = [
    `\n${resultsHeading(new Date(), 'warm start (bench/warm-start.ts)')}\n`,
    `A fresh stack as \`npm start\` runs it (one worker, ${defaultWorkerConcurrency()} jobs), the 1600x1306 reference JPEG → 320 px JPEG q80, closed loop with ${IN_FLIGHT} in flight from the moment the stack is ready; first ${coldS} s against ${coldS} s measured after ${warmAfterS} s, per fresh stack.${nodeArgs.length ? ` Services run with \`${nodeArgs.join(' ')}\`.` : ''}\n`,
    `| round | ready after | first seconds, resizes each | first ${coldS} s | warm | first / warm | CPU ms per resize, api + broker: first / warm | worker: first / warm |`,
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r, i) => `| ${i + 1} | ${r.startS.toFixed(1)} s | ${r.cold.perSecond.join(' ')} | ${r.cold.rate.toFixed(1)}/s | ${r.warm.rate.toFixed(1)}/s | ${(r.cold.rate / r.warm.rate).toFixed(3)} | ${cpu(r.cold.frontMs)} / ${cpu(r.warm.frontMs)} | ${cpu(r.cold.workerMs)} / ${cpu(r.warm.workerMs)} |`),
    '',
    `**first ${coldS} s / warm: median ${median(ratios).toFixed(3)}** (${ratioList(ratios)})`,
    '',
  ].join('\n');
  process.stdout.write(text);
  if (appendResults(text)) say('appended to bench/RESULTS.md');
}

await main();
