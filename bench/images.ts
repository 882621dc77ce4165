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
