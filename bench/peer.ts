/**
 * `npm run bench:peer`: nines against thumbor, the resizer a user would pick instead, on the
 * same machine, images and client. thumbor 7.8.0 (pinned, installed into .tools/thumbor from
 * PyPI when missing) serves the images from disk with its file loader, as 2 servers of one
 * process each (bench/peer/thumbor.ts says why), no storage, quality 80; nines is the stack `npm start` runs (one worker, cores + 1 jobs),
 * sent the same images as uploads. Both answer 320 px wide JPEGs at quality 80.
 *
 * Per image: each side warmed in a closed loop, then alternating rounds (the order swaps
 * every round, so the host's drift falls on both) of a closed loop with 8 in flight through
 * the lean client (bench/lean-client.ts): resizes/s, CPU ms per resize of each side's whole
 * process tree, cores busy; then an open model at 50 % of the slower side's capacity for
 * p50/p99. Ratios are nines / thumbor per round, with the median and its interval. Each
 * side's output is also scored for fidelity (PSNR against a full-size decode resized with
 * Lanczos 3): a resizer can buy speed with a coarser scaled decode, and that should show.
 *
 * Env: BENCH_WARMUP (s, default 60), BENCH_SECONDS per round (20), BENCH_ROUNDS (3),
 * BENCH_WORKERS and BENCH_CONCURRENCY (nines' worker processes and jobs each; default
 * `npm start`'s 1 and cores + 1), BENCH_CASES (comma-separated: reference, photo; default
 * both), BENCH_NO_APPEND=1 to print without appending to bench/RESULTS.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runLoad } from '../harness/load/engine.ts';
import { addEncoded, percentilesMs } from '../harness/load/histogram.ts';
import { summarize } from '../harness/load/summary.ts';
import { fidelityDb, readPhoto, referenceJpeg } from './images.ts';
import { defaultWorkerConcurrency } from '../system/lib/config.ts';
import { closedLoop, type LeanTarget } from './lean-client.ts';
import { treeCpuSeconds } from './proc.ts';
import { appendResults, resultsHeading } from './results.ts';
import { startBenchStack, stackCpuSeconds } from './stack.ts';
import { median, medianInterval, ratioList } from './stats.ts';
import { ensureThumbor, startThumbor, THUMBOR_VERSION } from './peer/thumbor.ts';

const warmupS = Number(process.env.BENCH_WARMUP ?? 60);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 8;
const say = (s: string) => process.stderr.write(`${s}\n`);

/** One side of the comparison: how to ask it for a resize and how much CPU its processes have used. */
interface Side {
  name: 'nines' | 'thumbor';
  /** One per server process the client deals its connections out to. */
  targets: LeanTarget[];
  cpuSeconds(): number;
  /** The same request for the open-model engine (harness/load), sent to each origin in equal shares. */
  request: { method: string; path: string; headers?: Record<string, string>; body?: Buffer };
  origins: string[];
}

interface Phase {
  rate: number;
  cpuMsPerResize: number;
  cores: number;
  errors: number;
}

async function phase(side: Side, durationS: number): Promise<Phase> {
  const cpu0 = side.cpuSeconds();
  const t0 = performance.now();
  const r = await closedLoop(side.targets, durationS, IN_FLIGHT);
  const cpu = side.cpuSeconds() - cpu0;
  const wall = (performance.now() - t0) / 1000;
  return { rate: r.ok / wall, cpuMsPerResize: (cpu * 1000) / Math.max(1, r.ok), cores: cpu / wall, errors: r.errors };
}

/** p50/p99 of an open model at `rate`, split evenly over the side's origins, from the merged histograms. */
async function openModel(side: Side, rate: number): Promise<{ p50: number | null; p99: number | null; failed: number }> {
  const share = rate / side.origins.length;
  const runs = await Promise.all(
    side.origins.map((url) => runLoad({ url, profile: { kind: 'constant', rate: share, durationS: seconds }, requests: side.request, connections: 32, threads: 1, timeoutMs: 10_000 })),
  );
  const merged = percentilesMs(addEncoded(runs.flatMap((h) => h.seconds.map((s) => s.latency.all).filter((x): x is string => !!x))));
  const failed = runs.reduce((a, h) => a + summarize(h).requests - (summarize(h).statusCounts['ok'] ?? 0), 0);
  return { p50: merged.p50, p99: merged.p99, failed };
}

interface ImageCase {
  name: 'reference' | 'photo';
  label: string;
  file: string;
  /** thumbor's fit-in (its fast path: shrink-on-load) rather than an exact 320 px width. */
  fit: boolean;
}

/**
 * Both outputs for one request each: their dimensions, bytes and fidelity (PSNR against a
 * full-size decode resized with Lanczos 3, bench/images.ts), so the comparison is like for like.
 */
async function outputs(sides: Side[], source: Buffer): Promise<string> {
  const out: string[] = [];
  for (const s of sides) {
    const init: RequestInit = { method: s.request.method, headers: s.request.headers ?? {}, ...(s.request.body ? { body: s.request.body as Uint8Array<ArrayBuffer> } : {}) };
    const res = await fetch(`${s.origins[0]}${s.request.path}`, init);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`${s.name} answered ${res.status}: ${body.toString('utf8', 0, 300)}`);
    const m = await sharp(body).metadata();
    out.push(`${s.name} ${m.width}x${m.height} ${m.format} ${body.length} B, ${(await fidelityDb(source, body)).toFixed(1)} dB`);
  }
  return out.join('; ');
}

async function compare(c: ImageCase, sides: Side[], source: Buffer): Promise<string> {
  const made = await outputs(sides, source);
  say(`${c.label}: ${made}; warming each for ${warmupS} s`);
  for (const s of sides) await phase(s, warmupS);
  const byRound: Array<Record<string, Phase>> = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    const r: Record<string, Phase> = {};
    for (const s of order) r[s.name] = await phase(s, seconds);
    byRound.push(r);
    say(`  round ${i + 1}: ${sides.map((s) => `${s.name} ${r[s.name]!.rate.toFixed(1)}/s, ${r[s.name]!.cpuMsPerResize.toFixed(1)} ms CPU, ${r[s.name]!.cores.toFixed(2)} cores`).join('; ')}`);
  }
  const ratio = (f: (p: Phase) => number) => byRound.map((r) => f(r['nines']!) / f(r['thumbor']!));
  const rateRatios = ratio((p) => p.rate);
  const cpuRatios = ratio((p) => p.cpuMsPerResize);
  const med = (name: string, f: (p: Phase) => number) => median(byRound.map((r) => f(r[name]!)));
  const slower = Math.min(med('nines', (p) => p.rate), med('thumbor', (p) => p.rate));
  const rate = Math.max(1, Math.round(slower * 0.5));
  const open: Record<string, Awaited<ReturnType<typeof openModel>>> = {};
  for (const s of sides) open[s.name] = await openModel(s, rate);
  const ci = medianInterval(rateRatios);
  const fmtMs = (x: number | null) => (x === null ? '–' : `${x.toFixed(1)} ms`);
  const rows = sides.map((s) => `| ${s.name} | ${med(s.name, (p) => p.rate).toFixed(1)} | ${med(s.name, (p) => p.cpuMsPerResize).toFixed(1)} | ${med(s.name, (p) => p.cores).toFixed(2)} | ${fmtMs(open[s.name]!.p50)} / ${fmtMs(open[s.name]!.p99)} (${open[s.name]!.failed} failed) |`);
  say(`  nines/thumbor resizes/s: median ${median(rateRatios).toFixed(3)} (${ratioList(rateRatios)}); CPU per resize ${median(cpuRatios).toFixed(3)} (${ratioList(cpuRatios)})`);
  return [
    `**${c.label}** → 320 px JPEG q80 (${made})`,
    '',
    `| side | resizes/s (median of ${rounds}) | CPU ms per resize | cores busy | open model at ${rate}/s: p50 / p99 |`,
    '|---|---|---|---|---|',
    ...rows,
    `| **nines / thumbor** | **${median(rateRatios).toFixed(3)}** (rounds ${ratioList(rateRatios)}; ${(ci.confidence * 100).toFixed(0)} % interval ${ci.low.toFixed(3)}–${ci.high.toFixed(3)}) | ${median(cpuRatios).toFixed(3)} (${ratioList(cpuRatios)}) | | |`,
    '',
  ].join('\n');
}

function ninesSide(b: Awaited<ReturnType<typeof startBenchStack>>, image: Buffer, query: string): Side {
  const target = b.target(image, query);
  const cpuSeconds = () => Object.values(stackCpuSeconds(b.stack)).reduce((a, x) => a + x, 0);
  return { name: 'nines', targets: [target], cpuSeconds, request: { method: 'POST', path: target.path, headers: target.headers, body: image }, origins: [b.stack.apiUrl] };
}

function thumborSide(t: Awaited<ReturnType<typeof startThumbor>>, file: string, fit: boolean): Side {
  const path = t.path(file, 320, fit);
  return {
    name: 'thumbor',
    targets: t.ports.map((port) => ({ host: '127.0.0.1', port, path, headers: {} })),
    cpuSeconds: () => t.pids.reduce((a, pid) => a + treeCpuSeconds(pid), 0),
    request: { method: 'GET', path },
    origins: t.ports.map((port) => `http://127.0.0.1:${port}`),
  };
}

async function main(): Promise<void> {
  ensureThumbor(say);
  const images = mkdtempSync(join(tmpdir(), 'nines-peer-'));
  const photo = readPhoto();
  writeFileSync(join(images, 'photo.jpg'), photo);
  writeFileSync(join(images, 'reference.jpg'), await referenceJpeg(photo, 85));
  const wanted = (process.env.BENCH_CASES ?? 'reference,photo').split(',');
  const cases = (
    [
      { name: 'reference', label: 'reference 1600x1306 (derived from the photo)', file: 'reference.jpg', fit: false },
      { name: 'photo', label: 'photo 2725x2225, 829 KB (thumbor fit-in)', file: 'photo.jpg', fit: true },
    ] satisfies ImageCase[]
  ).filter((c) => wanted.includes(c.name));
  if (cases.length === 0) throw new Error(`BENCH_CASES=${process.env.BENCH_CASES}: expected reference and/or photo`);
  const cores = availableParallelism();
  const workers = Number(process.env.BENCH_WORKERS ?? 1);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? defaultWorkerConcurrency());
  const b = await startBenchStack({ workers, workerConcurrency: concurrency, logLevel: 'info' }); // by default what `npm start` runs
  const t = await startThumbor(images, 2);
  const sections: string[] = [];
  try {
    for (const c of cases) {
      const image = readFileSync(join(images, c.file));
      sections.push(await compare(c, [ninesSide(b, image, 'width=320&format=jpeg&quality=80'), thumborSide(t, c.file, c.fit)], image));
    }
  } finally {
    await t.stop();
    await b.stop();
    rmSync(images, { recursive: true, force: true });
  }
  const text = [
    `\n${resultsHeading(new Date(), `nines vs thumbor ${THUMBOR_VERSION} (bench/peer.ts)`)}\n`,
    `Both on the same ${cores} cores with the load generator; ${warmupS} s warm-up each, ${rounds} alternating rounds of ${seconds} s, closed loop with ${IN_FLIGHT} in flight; nines ${workers === 1 && concurrency === defaultWorkerConcurrency() ? `as \`npm start\` runs it (one worker, ${concurrency} jobs)` : `with ${workers} worker(s) of ${concurrency} job(s) each`}, thumbor as 2 single-process servers with the client's connections dealt out between them, file loader, no storage. CPU is each side's whole process tree.\n`,
    ...sections,
  ].join('\n');
  appendResults(text);
  console.log(text);
}

await main();
