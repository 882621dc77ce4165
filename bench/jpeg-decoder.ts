/**
 * `npm run bench:jpeg`: the worker's JPEG fast path (libjpeg-turbo decoding at sharp's scale,
 * system/worker/jpeg-fast-path.ts) against sharp decoding the same image itself, through the
 * worker's own `resize()` in this one process, one resize at a time (sharp.concurrency(1),
 * as in the worker, decoded pixels from a buffer pool as in the worker), so CPU per resize is
 * the decoder's difference and nothing else.
 *
 * Per image, alternating rounds (the order swaps every round, so the host's drift falls on
 * both) of BENCH_COUNT resizes each way; reports CPU ms per resize and the ratio fast / sharp
 * per round with the median and its interval. Outputs are checked byte for byte equal first:
 * the fast path is only faster, not different.
 *
 * Env: BENCH_ROUNDS (default 6), BENCH_COUNT resizes per round and way (default 60),
 * BENCH_NO_APPEND=1 to print without appending to bench/RESULTS.md.
 */
import { resize } from '../system/worker/resize.ts';
import { loadTurboJpeg } from '../system/worker/turbojpeg.ts';
import type { JpegDecoder } from '../system/worker/jpeg-fast-path.ts';
import { BufferPool } from '../system/lib/buffer-pool.ts';
import { DEFAULT_WORKER_BUFFER_POOL_BYTES } from '../system/lib/config.ts';
import type { ResizeParams } from '../system/lib/jobs.ts';
import { PHOTO, readPhoto, referenceJpeg } from './images.ts';
import { appendResults, resultsHeading } from './results.ts';
import { median, medianInterval, ratioList } from './stats.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const count = Number(process.env.BENCH_COUNT ?? 60);
const params: ResizeParams = { width: 320, fit: 'cover', format: 'jpeg', quality: 80 };
const MAX_PIXELS = 50_000_000;

const loaded = loadTurboJpeg();
if (loaded instanceof Error) {
  console.error(`bench:jpeg: the TurboJPEG binding did not load (${loaded.message}); build it with scripts/build-native.sh`);
  process.exit(1);
}
const fastPath: JpegDecoder = { tj: loaded, pool: new BufferPool(DEFAULT_WORKER_BUFFER_POOL_BYTES) };
const say = (s: string) => process.stderr.write(`${s}\n`);

/** CPU milliseconds per resize over `count` resizes, with or without the fast path. */
async function cpuMsPerResize(image: Buffer, fast: boolean): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await resize(image, params, MAX_PIXELS, fast ? fastPath : undefined);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

async function compare(name: string, image: Buffer): Promise<string> {
  const [viaFast, viaSharp] = [await resize(image, params, MAX_PIXELS, fastPath), await resize(image, params, MAX_PIXELS)];
  if (viaFast.decoder !== 'turbojpeg') throw new Error(`${name}: the fast path declined (${viaFast.declined})`);
  if (!viaFast.data.equals(viaSharp.data)) throw new Error(`${name}: the fast path's output differs from sharp's`);
  for (const fast of [true, false]) await cpuMsPerResize(image, fast); // warm both
  const fastMs: number[] = [];
  const sharpMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const fast of r % 2 ? [false, true] : [true, false]) (fast ? fastMs : sharpMs).push(await cpuMsPerResize(image, fast));
    say(`${name} round ${r + 1}: fast path ${fastMs[r]!.toFixed(2)} ms, sharp ${sharpMs[r]!.toFixed(2)} ms CPU per resize`);
  }
  const ratios = fastMs.map((f, i) => f / sharpMs[i]!);
  const ci = medianInterval(ratios);
  return `| ${name} → 320 px JPEG | ${median(fastMs).toFixed(2)} | ${median(sharpMs).toFixed(2)} | **${median(ratios).toFixed(3)} ×** (${(ci.confidence * 100).toFixed(0)} % interval ${ci.low.toFixed(3)}–${ci.high.toFixed(3)}; rounds ${ratioList(ratios)}) |`;
}

const photo = readPhoto();
const rows = [await compare(`${PHOTO} (2725x2225, 829 KB)`, photo), await compare('1600x1306 reference (q90)', await referenceJpeg(photo, 90))];
const text = [
  '',
  resultsHeading(new Date(), 'JPEG fast path (`npm run bench:jpeg`)'),
  '',
  `One process, one resize at a time, ${rounds} alternating rounds of ${count} resizes each way; outputs byte-identical.`,
  '',
  '| image | fast path, ms CPU per resize | sharp, ms CPU per resize | fast / sharp |',
  '|---|---|---|---|',
  ...rows,
  '',
].join('\n');
process.stdout.write(text);
if (appendResults(text)) say('appended to bench/RESULTS.md');
