/**
 * The images the stack benchmarks resize: a real photo from the fixtures (829 KB, 2725x2225)
 * and a 1600x1306 reference derived from it, since no fixture has those dimensions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { defaultFixturesDir } from '../harness/stack/process.ts';

export const PHOTO = '2569067123_aca715a2ee_o.jpg';

/** The photo's bytes. */
export const readPhoto = (): Buffer => readFileSync(join(defaultFixturesDir(), PHOTO));

/** The photo stretched to 1600x1306 and re-encoded as a JPEG of `quality`. */
export const referenceJpeg = (photo: Buffer, quality: number): Promise<Buffer> => sharp(photo).resize(1600, 1306, { fit: 'fill' }).jpeg({ quality }).toBuffer();

/**
 * How faithful a resize is: PSNR (dB) of `output` against the source decoded at full size
 * and resized to the output's dimensions with sharp's Lanczos 3, as raw pixels. Higher is
 * closer; a scaled decode that keeps less detail (a larger DCT scale than needed) scores
 * lower. Both sides of a comparison are measured against the same reference.
 */
export async function fidelityDb(source: Buffer, output: Buffer): Promise<number> {
  const out = await sharp(output).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const full = await sharp(source).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const reference = await sharp(full.data, { raw: full.info }).resize(out.info.width, out.info.height, { fit: 'fill' }).raw().toBuffer();
  let sum = 0;
  for (let i = 0; i < reference.length; i++) sum += (reference[i]! - out.data[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / reference.length));
}
