/**
 * `node --import tsx bench/sniff.ts`: CPU per header check in the api, the JavaScript header
 * parser (system/api/sniff.ts) against libvips metadata() on the same image in the same
 * process, as a ratio. Prints; appends nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../harness/stack/process.ts';
import { sniff } from '../system/api/sniff.ts';

const img = readFileSync(join(repoRoot, '..', 'shared', 'fixtures', 'images', '2569067123_aca715a2ee_o.jpg'));

async function cpuPerCall(label: string, n: number, f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < n / 10; i++) await f(); // warm
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await f();
  const c = process.cpuUsage(c0);
  const us = (c.user + c.system) / n;
  console.log(`${label.padEnd(22)} ${us.toFixed(1)} µs CPU per call`);
  return us;
}

const vips = await cpuPerCall('libvips metadata()', 2000, () => sharp(img, { limitInputPixels: false }).metadata());
const ours = await cpuPerCall('sniff() header parser', 20000, () => sniff(img, 'jpeg'));
console.log(`ratio header parser / libvips: ${(ours / vips).toFixed(3)} (${img.length}-byte JPEG, Node ${process.version})`);
