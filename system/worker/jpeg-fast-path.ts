/**
 * The JPEG fast path: libjpeg-turbo decodes the image already shrunk by its DCT scaling
 * (1/2, 1/4 or 1/8, shrink-on-load), then sharp resizes the rest of the way from raw pixels
 * and encodes. sharp alone does the same with the same scale (shrink-on-load.ts), so the
 * output is the same picture at the same size; what differs is the decoder: sharp's bundled
 * mozjpeg takes longer than the system's libjpeg-turbo over the same scaled decode, and the
 * decode is most of a JPEG resize's CPU (bench/RESULTS.md, "JPEG fast path").
 *
 * It takes only what it can do exactly as sharp would: a YCbCr, greyscale or RGB JPEG with
 * no ICC profile (no colour management needed), EXIF orientation 1 (no auto-rotation),
 * within the pixel limit, shrunk at least twofold (else there is no scaled decode), to JPEG,
 * WebP or AVIF (a PNG carries the source's resolution in its pHYs chunk, which sharp reads
 * from the JPEG's metadata and raw pixels do not have: the pixels would match, the bytes
 * would not). Anything
 * else is declined with a reason and sharp does the whole job. A stream libjpeg-turbo
 * refuses (it fails on warnings, like sharp's `failOn: 'warning'`) is also handed to sharp,
 * whose error the customer then sees, so both paths answer bad input the same way.
 */
import sharp, { type Sharp } from 'sharp';
import type { ResizeParams } from '../lib/jobs.ts';
import { isJpeg } from '../lib/jpeg.ts';
import { readJpegMarkers } from './jpeg-markers.ts';
import { planShrinkOnLoad } from './shrink-on-load.ts';
import type { TurboJpeg } from './turbojpeg.ts';
import type { BufferPool } from '../lib/buffer-pool.ts';

/**
 * The binding, and where its output goes: the decoded pixels (0.4-1.1 MB for the benches'
 * images) come from the worker's buffer pool, because image-sized buffers allocated per job
 * are what drives V8 into full collections (system/lib/buffer-pool.ts says how much).
 */
export interface JpegDecoder {
  tj: TurboJpeg;
  pool: BufferPool;
}

export const declineReasons = ['not_jpeg', 'png_output', 'unparsable', 'icc_profile', 'oriented', 'colorspace', 'too_many_pixels', 'no_shrink', 'decode_failed'] as const;
export type DeclineReason = (typeof declineReasons)[number];

/** The pipeline, and `release` to call once it has finished with the pixels (after encoding). */
export type FastPathResult = { image: Sharp; release(): void } | { declined: DeclineReason };

const DECODABLE = new Set(['ycbcr', 'gray', 'rgb']);

/** A sharp pipeline already resized from the DCT-scaled pixels, or why sharp must decode instead. */
export async function jpegFastPath({ tj, pool }: JpegDecoder, input: Buffer, p: ResizeParams, maxPixels: number): Promise<FastPathResult> {
  if (!isJpeg(input)) return { declined: 'not_jpeg' };
  if (p.format === 'png') return { declined: 'png_output' };
  const markers = readJpegMarkers(input);
  if (!markers) return { declined: 'unparsable' };
  if (markers.iccProfile) return { declined: 'icc_profile' };
  if (markers.orientation !== 1) return { declined: 'oriented' };
  let header;
  try {
    header = tj.header(input);
  } catch {
    return { declined: 'unparsable' };
  }
  if (!DECODABLE.has(header.colorspace)) return { declined: 'colorspace' };
  if (header.width * header.height > maxPixels) return { declined: 'too_many_pixels' };
  const plan = planShrinkOnLoad(header.width, header.height, p);
  if (!plan) return { declined: 'no_shrink' };

  const pixels = pool.acquire(plan.decoded.width * plan.decoded.height * 3);
  const release = () => pool.release(pixels);
  try {
    await tj.decode(input, plan.denom, pixels);
  } catch {
    release();
    return { declined: 'decode_failed' };
  }
  const image = sharp(pixels, { raw: { ...plan.decoded, channels: 3 } })
    .extract({ left: 0, top: 0, ...plan.loaded })
    .resize({ width: p.width, height: p.height, fit: p.fit });
  return { image, release };
}
