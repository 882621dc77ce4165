/**
 * The worker's JPEG fast path (system/worker/jpeg-fast-path.ts) with the real TurboJPEG
 * binding (built by scripts/build-native.sh, which `npm test` runs) and real sharp: for every
 * fixture, fit and output format its output is byte for byte what sharp alone gives, what it
 * declines it declines for the stated reason, and bad input fails exactly as without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { resize, ResizeError, type Resized } from '../../../system/worker/resize.ts';
import { loadTurboJpeg, type TurboJpeg } from '../../../system/worker/turbojpeg.ts';
import { BufferPool } from '../../../system/lib/buffer-pool.ts';
import { readJpegMarkers } from '../../../system/worker/jpeg-markers.ts';
import type { ResizeParams } from '../../../system/lib/jobs.ts';
import { defaultFixturesDir } from '../../../harness/stack/process.ts';

const fixtures = defaultFixturesDir();
const read = (name: string) => readFileSync(join(fixtures, name));
const MAX_PIXELS = 50_000_000;
const loaded = loadTurboJpeg();
const tj = loaded instanceof Error ? undefined : loaded;
const pool = new BufferPool(8 * 1024 * 1024);
const jpeg = tj && { tj, pool };

/** A minimal EXIF APP1 segment holding only IFD0's orientation, in either byte order. */
function exifSegment(orientation: number, bigEndian: boolean): Buffer {
  const tiff = Buffer.alloc(26);
  const u16 = (v: number, at: number) => (bigEndian ? tiff.writeUInt16BE(v, at) : tiff.writeUInt16LE(v, at));
  tiff.write(bigEndian ? 'MM' : 'II', 0, 'latin1');
  u16(42, 2);
  if (bigEndian) tiff.writeUInt32BE(8, 4);
  else tiff.writeUInt32LE(8, 4);
  u16(1, 8); // one entry
  u16(0x0112, 10); // orientation
  u16(3, 12); // SHORT
  if (bigEndian) tiff.writeUInt32BE(1, 14);
  else tiff.writeUInt32LE(1, 14);
  u16(orientation, 18);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}
const withExif = (jpeg: Buffer, orientation: number, bigEndian: boolean) => Buffer.concat([jpeg.subarray(0, 2), exifSegment(orientation, bigEndian), jpeg.subarray(2)]);

async function both(input: Buffer, p: ResizeParams, maxPixels = MAX_PIXELS): Promise<[Resized, Resized]> {
  return [await resize(input, p, maxPixels, jpeg), await resize(input, p, maxPixels)];
}

const fits: Array<Omit<ResizeParams, 'format'>> = [
  { width: 320, fit: 'cover' },
  { height: 100, fit: 'inside' },
  { width: 150, height: 150, fit: 'cover' },
  { width: 150, height: 150, fit: 'contain' },
  { width: 150, height: 150, fit: 'inside' },
  { width: 150, height: 150, fit: 'fill' },
  { width: 40, height: 90, fit: 'outside' },
];

test('the TurboJPEG binding is built and loads', () => {
  assert.ok(tj, `loadTurboJpeg: ${loaded instanceof Error ? loaded.message : ''}`);
  assert.deepEqual(tj.header(read('2569067123_aca715a2ee_o.jpg')), { width: 2725, height: 2225, colorspace: 'ycbcr' });
});

test('every fixture, every fit: the fast path gives byte for byte what sharp gives', async () => {
  let fast = 0;
  for (const name of readdirSync(fixtures).filter((f) => /\.jpe?g$/i.test(f))) {
    const input = read(name);
    for (const fit of fits) {
      // AVIF only once per image: its encoder is slow, and it is the same stage for both paths
      for (const format of fit === fits[0] ? (['png', 'jpeg', 'webp', 'avif'] as const) : (['png', 'jpeg', 'webp'] as const)) {
        const p = { ...fit, format };
        const pair = await both(input, p).catch(() => undefined);
        if (!pair) continue; // undecodable fixtures: a test below
        const [a, b] = pair;
        assert.equal(b.decoder, 'sharp');
        assert.ok(a.data.equals(b.data), `${name} ${JSON.stringify(p)}: ${a.decoder} output differs from sharp's`);
        assert.deepEqual([a.width, a.height], [b.width, b.height]);
        if (a.decoder === 'turbojpeg') fast++;
      }
    }
  }
  assert.ok(fast >= 50, `the fast path took ${fast} of the fixture resizes`);
});

test('what it declines, and why', async () => {
  const photo = read('2569067123_aca715a2ee_o.jpg');
  const small = await sharp(photo).resize(1000).jpeg().toBuffer();
  const cases: Array<[string, Buffer, Omit<ResizeParams, 'format'> & Partial<ResizeParams>, string | undefined]> = [
    ['the photo', photo, { width: 320, fit: 'cover' }, undefined],
    ['a progressive JPEG', await sharp(photo).resize(1000).jpeg({ progressive: true }).toBuffer(), { width: 200, fit: 'cover' }, undefined],
    ['a greyscale JPEG', await sharp(photo).resize(1000).toColourspace('b-w').jpeg().toBuffer(), { width: 200, fit: 'cover' }, undefined],
    ['a PNG', read('with-alpha.png'), { width: 50, fit: 'cover' }, 'not_jpeg'],
    ['PNG output', photo, { width: 320, fit: 'cover', format: 'png' }, 'png_output'],
    ['an ICC profile', read('concert.jpg'), { width: 100, fit: 'cover' }, 'icc_profile'],
    ['EXIF orientation 6 (little-endian)', withExif(small, 6, false), { width: 200, fit: 'cover' }, 'oriented'],
    ['EXIF orientation 8 (big-endian)', withExif(small, 8, true), { width: 200, fit: 'cover' }, 'oriented'],
    ['CMYK', await sharp(photo).resize(1000).toColourspace('cmyk').jpeg().toBuffer(), { width: 200, fit: 'cover' }, 'colorspace'],
    ['less than twofold', small, { width: 600, fit: 'cover' }, 'no_shrink'],
  ];
  for (const [what, input, fit, reason] of cases) {
    const [a, b] = await both(input, { format: 'jpeg', ...fit });
    assert.equal(a.decoder, reason ? 'sharp' : 'turbojpeg', what);
    assert.equal(a.declined, reason, what);
    assert.ok(a.data.equals(b.data), `${what}: output differs from sharp's`);
  }
  const [a] = await both(withExif(small, 1, true), { width: 200, fit: 'cover', format: 'jpeg' });
  assert.equal(a.decoder, 'turbojpeg', 'EXIF orientation 1 needs no rotation');
});

test('the marker scan reads what sharp reads: orientation and ICC profile of every fixture', async () => {
  for (const name of readdirSync(fixtures).filter((f) => /\.jpe?g$/i.test(f))) {
    const input = read(name);
    const markers = readJpegMarkers(input);
    const meta = await sharp(input).metadata().catch(() => undefined);
    if (!meta || !markers) continue;
    assert.equal(markers.orientation, meta.orientation ?? 1, `${name} orientation`);
    assert.equal(markers.iccProfile, meta.hasProfile === true, `${name} ICC profile`);
  }
  assert.equal(readJpegMarkers(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff])), undefined, 'a length past the end');
  assert.equal(readJpegMarkers(Buffer.from('not a jpeg at all')), undefined);
});

test('bad input fails exactly as it does without the fast path', async () => {
  const photo = read('2569067123_aca715a2ee_o.jpg');
  const inputs: Array<[string, Buffer, number]> = [
    ['truncated.jpg', read('truncated.jpg'), MAX_PIXELS],
    ['corrupt-header.jpg', read('corrupt-header.jpg'), MAX_PIXELS],
    ['the photo cut in half', photo.subarray(0, photo.length >> 1), MAX_PIXELS],
    ['the photo over a 1 MP limit', photo, 1_000_000],
  ];
  for (const [what, input, maxPixels] of inputs) {
    const p: ResizeParams = { width: 100, fit: 'cover', format: 'jpeg' };
    // one after the other: libvips keeps one error buffer per process, and two failures at
    // once can swap their messages
    const a = (await Promise.allSettled([resize(input, p, maxPixels, jpeg)]))[0];
    const b = (await Promise.allSettled([resize(input, p, maxPixels)]))[0];
    assert.equal(a.status, 'rejected', what);
    assert.equal(b.status, 'rejected', what);
    const [ea, eb] = [(a as PromiseRejectedResult).reason, (b as PromiseRejectedResult).reason];
    assert.ok(ea instanceof ResizeError, what);
    assert.equal(ea.code, eb.code, what);
    assert.equal(ea.message, eb.message, what);
  }
});

test('the binding refuses a wrong output buffer or scale instead of writing past it', async () => {
  const binding = tj as TurboJpeg;
  const photo = read('2569067123_aca715a2ee_o.jpg');
  await assert.rejects(binding.decode(photo, 8, Buffer.alloc(10)), /output buffer holds 10 bytes, 341x279 RGB needs 285417/);
  assert.throws(() => binding.decode(photo, 3 as 2, Buffer.alloc(10)), /denom must be 1, 2, 4 or 8/);
  assert.throws(() => binding.header(Buffer.from('nope')), { code: 'ERR_TURBOJPEG' });
  const out = Buffer.alloc(341 * 279 * 3);
  await binding.decode(photo, 8, out);
  assert.ok(out.some((b) => b !== 0), 'pixels written');
});

test('without the binding the worker is told why, and resizes with sharp', () => {
  const missing = loadTurboJpeg('/nonexistent/turbojpeg.node');
  assert.ok(missing instanceof Error);
  assert.match(missing.message, /Cannot find module/);
});

test('the decoded pixels come from the buffer pool and go back to it, whatever the outcome', async () => {
  class CountingPool extends BufferPool {
    held = 0;
    override acquire(length: number): Buffer {
      this.held++;
      return super.acquire(length);
    }
    override release(buf: Buffer): void {
      this.held--;
      super.release(buf);
    }
  }
  const counting = new CountingPool(8 * 1024 * 1024);
  const decoder = { tj: tj as TurboJpeg, pool: counting };
  const photo = read('2569067123_aca715a2ee_o.jpg');
  const ok = await resize(photo, { width: 320, fit: 'cover', format: 'jpeg' }, MAX_PIXELS, decoder);
  assert.equal(ok.decoder, 'turbojpeg');
  // a stream cut after its header: the decode fails, sharp answers, the pixels still go back
  await assert.rejects(resize(photo.subarray(0, photo.length >> 1), { width: 320, fit: 'cover', format: 'jpeg' }, MAX_PIXELS, decoder), ResizeError);
  await Promise.all(Array.from({ length: 4 }, () => resize(photo, { width: 200, fit: 'cover', format: 'webp' }, MAX_PIXELS, decoder)));
  assert.equal(counting.held, 0);
});
