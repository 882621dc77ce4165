/**
 * The api's own header parser (jpeg, png, gif, webp) must agree with libvips on every
 * fixture, or a decompression bomb could slip past the pixel check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import sharp from 'sharp';
import { fixture, fixturesDir } from '../../helpers/stack.ts';
import { headerDimensions, sniff, sniffFormat } from '../../../system/api/sniff.ts';

test('header dimensions match libvips metadata on every fixture it parses', async () => {
  let compared = 0;
  for (const name of readdirSync(fixturesDir)) {
    const b = fixture(name);
    const format = sniffFormat(b);
    if (!format || format === 'heic') continue;
    const mine = headerDimensions(b, format);
    if (!mine) continue;
    const m = await sharp(b, { limitInputPixels: false }).metadata();
    assert.deepEqual(mine, { width: m.width, height: m.pageHeight ?? m.height }, name);
    compared++;
  }
  assert.ok(compared >= 20, `compared ${compared} fixtures`);
});

test('both decompression bombs are measured from the header alone', async () => {
  assert.deepEqual(await sniff(fixture('giant-image.jpg'), 'any'), { format: 'jpeg', width: 20000, height: 14000 });
  assert.deepEqual(await sniff(fixture('65536-uint32-limit.png'), 'any'), { format: 'png', width: 65536, height: 65536 });
});

test('a jpeg header with no frame, and a cut-off png, are undecodable (422)', async () => {
  await assert.rejects(sniff(fixture('corrupt-header.jpg'), 'jpeg'), { code: 'ERR_UNDECODABLE' });
  await assert.rejects(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), 'jpeg'), { code: 'ERR_UNDECODABLE' });
  await assert.rejects(sniff(fixture('with-alpha.png').subarray(0, 20), 'png'), { code: 'ERR_UNDECODABLE' });
});

test('formats without a parser here still go through libvips (tiff, avif, svg)', async () => {
  assert.deepEqual(await sniff(fixture('G31D.TIF'), 'any'), { format: 'tiff', width: 2464, height: 3248 });
  assert.deepEqual(await sniff(fixture('pitm.avif'), 'any'), { format: 'avif', width: 4096, height: 800 });
});
