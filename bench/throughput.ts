/**
 * `npm run bench`: whole-stack resize throughput (HTTP -> api -> broker -> worker -> api ->
 * HTTP) against raw in-process sharp on the same image with the same settings, and against
 * raw sharp as one process per core, in the same run; then p99 at 70 % of the measured stack
 * capacity with requests sent at a fixed rate (open model, latency from each request's
 * intended send time). Appends to bench/RESULTS.md.
 *
 * It measures two images: a real photo from the fixtures (829 KB, 2725x2225), and a
 * reference image (a 1600x1306 JPEG of a few hundred KB, README.md's "Measured" table),
 * derived here from that photo, since no fixture has those dimensions.
 *
 * Options (env): BENCH_SECONDS per phase (default 5), BENCH_ROUNDS (default 12), BENCH_WARMUP
 * seconds of closed-loop load before measuring (default 60), BENCH_QUERY,
 * BENCH_NO_APPEND=1 to print without appending to RESULTS.md.
 */
import { availableParallelism } from 'node:os';
import { Pool } from 'undici';
import * as hdr from 'hdr-histogram-js';
import { PHOTO, readPhoto, referenceJpeg } from './images.ts';
import { rawSharp, resizeParamsOf, startRawProcesses } from './raw-sharp.ts';
import { closedLoop } from './lean-client.ts';
import { startBenchStack, warmupS } from './stack.ts';
import { median, medianInterval, ratioList } from './stats.ts';
import { appendResults, resultsHeading } from './results.ts';

// Many short rounds rather than a few long ones: the host's speed drifts by 10-20 % within
// a minute, and the median of many ratios of neighbouring phases moves less than of a few.
// With eight the median's only 95 % interval is [min, max] (stats.ts), and one build's
// medians moved between 0.80 and 0.88 with nothing to say how far to trust any of them;
// twelve give [3rd, 10th] (96 %), which sets the two wildest rounds at each end aside.
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 12);
const query = process.env.BENCH_QUERY ?? 'width=320&format=jpeg';
const photoName = PHOTO;
const photo = readPhoto();
const cores = availableParallelism();
let image = photo;
let imageName = photoName;
const say = (s: string) => process.stderr.write(`${s}\n`);

/** Raw sharp in this process (bench/raw-sharp.ts), in resizes per second. */
const rawParams = resizeParamsOf(query);
const rawRate = async (durationS: number) => (await rawSharp(image, rawParams, durationS, cores)) / durationS;

/** Open model: one request every 1/rate s on schedule, latency from the intended send time. */
async function stackOpen(pool: Pool, path: string, key: string, rate: number, durationS: number) {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const total = Math.round(rate * durationS);
  const start = performance.now();
  let ok = 0;
  let failed = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const intended = start + (i * 1000) / rate;
    const wait = intended - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      pool
        .request({ method: 'POST', path, headers: { authorization: `Bearer ${key}`, 'content-type': 'image/jpeg' }, body: image })
        .then(async (r) => {
          await r.body.arrayBuffer();
          h.recordValue(Math.round((performance.now() - intended) * 1000)); // µs
          if (r.statusCode === 200) ok++;
          else failed++;
        })
        .catch(() => {
          failed++;
        }),
    );
  }
  await Promise.all(inflight);
  const ms = (p: number) => h.getValueAtPercentile(p) / 1000;
  return { sent: total, ok, failed, p50: ms(50), p90: ms(90), p99: ms(99), max: h.maxValue / 1000 };
}

async function main() {
  const reference = await referenceJpeg(photo, 92);
  for (const [name, img] of [
    [photoName, photo],
    ['reference 1600x1306 (derived)', reference],
  ] as const) {
    image = img;
    imageName = name;
    await measure();
  }
}

async function measure() {
  say(`bench: ${imageName} (${image.length} bytes) -> ${query}; ${warmupS} s warm-up, ${rounds} rounds of ${seconds} s phases; ${cores} cores`);
  await rawRate(2); // warm libvips

  // Sharp is faster as one process per core than as `cores` resizes in one process (1.2-1.3 x
  // here), so the stack runs one worker process per core (bench/stack.ts), and the report
  // sets it against both: the baseline, raw sharp in this process, and raw sharp as
  // one process per core, the strongest way to run sharp alone on this machine.
  const procs = await startRawProcesses(image, rawParams, cores, 1);
  const b = await startBenchStack();
  try {
    const { stack, apiKey } = b;
    const pool = new Pool(stack.apiUrl, { connections: 32, pipelining: 1 });
    const path = `/v1/resize?${query}`;
    const target = b.target(image, query);
    // Closed loop over the lean client (bench/lean-client.ts), so the generator takes little
    // of the CPU the stack is measured on; enough in flight to keep the workers busy.
    const stackClosed = async (durationS: number) => {
      const r = await closedLoop(target, durationS, cores * 3);
      return { rate: r.ok / durationS, errors: r.errors };
    };
    const procsRate = async (durationS: number) => (await procs.run(durationS)).n / durationS;
    await procsRate(2);
    await stackClosed(warmupS); // until the JIT has settled (stack.ts)
    // The machine's speed drifts over minutes (shared hosts), so the phases alternate
    // (raw in-process, stack, raw processes, raw in-process, ...) and each stack phase is
    // compared with the raw phases of each kind either side of it; the figures are the
    // medians of those ratios.
    const raws = [await rawRate(seconds)];
    const procRaws = [await procsRate(seconds)];
    const stacks: number[] = [];
    let errors = 0;
    for (let i = 0; i < rounds; i++) {
      const closed = await stackClosed(seconds);
      stacks.push(closed.rate);
      errors += closed.errors;
      procRaws.push(await procsRate(seconds));
      raws.push(await rawRate(seconds));
      say(
        `round ${i + 1}: stack ${closed.rate.toFixed(1)} resizes/s; raw in-process ${raws[i]!.toFixed(1)}, ${raws[i + 1]!.toFixed(1)}: ratio ${(closed.rate / ((raws[i]! + raws[i + 1]!) / 2)).toFixed(3)}; ` +
          `raw processes ${procRaws[i]!.toFixed(1)}, ${procRaws[i + 1]!.toFixed(1)}: ratio ${(closed.rate / ((procRaws[i]! + procRaws[i + 1]!) / 2)).toFixed(3)}`,
      );
    }
    const ratioAgainst = (xs: number[]) => stacks.map((s, i) => s / ((xs[i]! + xs[i + 1]!) / 2));
    const ratios = ratioAgainst(raws);
    const procRatios = ratioAgainst(procRaws);
    const ratio = median(ratios);
    const procRatio = median(procRatios);
    const raw = median(raws);
    const procRaw = median(procRaws);
    const closed = { rate: median(stacks), errors };
    const ci = medianInterval(ratios);
    const procCi = medianInterval(procRatios);
    const range = (i: typeof ci) => `${i.low.toFixed(3)}-${i.high.toFixed(3)}`;
    const interval = (i: typeof ci) => `${(i.confidence * 100).toFixed(0)} % interval ${range(i)}`;
    say(`ratio stack/raw in-process: median ${ratio.toFixed(3)}, ${interval(ci)} (${ratioList(ratios)})`);
    say(`ratio stack/raw processes: median ${procRatio.toFixed(3)}, ${interval(procCi)} (${ratioList(procRatios)})`);

    const rate = Math.max(1, Math.round(closed.rate * 0.7));
    const open = await stackOpen(pool, path, apiKey, rate, Math.max(10, seconds));
    say(`open model at ${rate}/s (70 %): p50 ${open.p50.toFixed(1)} ms, p90 ${open.p90.toFixed(1)} ms, p99 ${open.p99.toFixed(1)} ms, max ${open.max.toFixed(1)} ms, ${open.failed} failed of ${open.sent}`);
    await pool.close();

    const row = [
      `\n${resultsHeading(new Date())}\n`,
      `Image \`${imageName}\` (${image.length} bytes) → \`${query}\`; ${warmupS} s warm-up, then ${seconds} s per phase, ${rounds} rounds; ${cores} worker processes with one job in flight each, one api, one broker, and this load generator, all on the same ${cores} cores.\n`,
      `| measure | value |`,
      `|---|---|`,
      `| raw sharp in-process, ${rounds + 1} phases alternating with the stack's (median; each) | ${raw.toFixed(1)} resizes/s (${raws.map((r) => r.toFixed(1)).join(', ')}) |`,
      `| raw sharp as ${cores} processes with one resize each, ${rounds + 1} phases (median; each) | ${procRaw.toFixed(1)} resizes/s (${procRaws.map((r) => r.toFixed(1)).join(', ')}) |`,
      `| whole stack, closed loop (${cores * 3} in flight), ${rounds} phases (median; each) | ${closed.rate.toFixed(1)} resizes/s (${stacks.map((r) => r.toFixed(1)).join(', ')}), ${closed.errors} errors |`,
      `| **ratio stack / raw sharp** (median of each stack phase against the raw phases either side; its distribution-free ${(ci.confidence * 100).toFixed(0)} % interval; each) | **${ratio.toFixed(3)}** (${range(ci)}; ${ratioList(ratios)}) |`,
      `| ratio stack / raw sharp as ${cores} processes (same method) | ${procRatio.toFixed(3)} (${range(procCi)}; ${ratioList(procRatios)}) |`,
      `| open model at 70 % of stack capacity (${rate}/s, ${open.sent} requests) | p50 ${open.p50.toFixed(1)} ms, p90 ${open.p90.toFixed(1)} ms, **p99 ${open.p99.toFixed(1)} ms**, max ${open.max.toFixed(1)} ms; ${open.failed} failed |`,
      '',
    ].join('\n');
    appendResults(row);
    console.log(JSON.stringify({ rawSharp: raw, rawProcesses: procRaw, stack: closed.rate, ratio, ratioInterval: ci, ratioToProcesses: procRatio, at70: { rate, ...open } }));
  } finally {
    procs.stop();
    await b.stop();
  }
}

await main();
