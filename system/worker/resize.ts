/**
 * The resize itself: auto-orient per EXIF, resize, convert to sRGB, encode. Alpha is kept
 * where the output format has it (png, webp, avif) and flattened onto white for jpeg.
 * Decoding is strict (`failOn: 'warning'`), so a truncated image is an error, not a
 * half-grey picture returned as success. Most JPEGs are decoded by libjpeg-turbo, already
 * shrunk, when the worker has the binding (jpeg-fast-path.ts); the rest of the pipeline is
 * the same for both.
 */
import sharp, { type Sharp } from 'sharp';
import type { OutputFormat, ResizeParams } from '../lib/jobs.ts';
import { jpegFastPath, type DeclineReason, type JpegDecoder } from './jpeg-fast-path.ts';

// One libvips thread per image and no operation cache: parallelism comes from running
// `cores` jobs at once, which keeps per-job latency predictable and memory bounded.
sharp.cache(false);
sharp.concurrency(1);

export const contentTypes: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
};

export class ResizeError extends Error {
  constructor(
    readonly code: 'ERR_UNDECODABLE' | 'ERR_TOO_MANY_PIXELS',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Resized {
  data: Buffer;
  format: OutputFormat;
  width: number;
  height: number;
  /** Which decoder read the image, and for sharp why the fast path declined it (undefined: no binding). */
  decoder: 'turbojpeg' | 'sharp';
  declined?: DeclineReason;
}

/** Resizes one image; throws ResizeError with a code for input that cannot be processed. */
export async function resize(input: Buffer, p: ResizeParams, maxPixels: number, jpeg?: JpegDecoder): Promise<Resized> {
  const fast = jpeg ? await jpegFastPath(jpeg, input, p, maxPixels) : undefined;
  if (fast && 'image' in fast) {
    try {
      return { ...(await encode(fast.image, p)), decoder: 'turbojpeg' };
    } finally {
      fast.release();
    }
  }
  const img = sharp(input, { limitInputPixels: maxPixels, failOn: 'warning', sequentialRead: true })
    .rotate()
    .resize({ width: p.width, height: p.height, fit: p.fit });
  return { ...(await encode(img, p)), decoder: 'sharp', declined: fast?.declined };
}

/** The pipeline's end, whichever decoder began it: sRGB, the output format, the buffer. */
async function encode(resized: Sharp, p: ResizeParams): Promise<Omit<Resized, 'decoder' | 'declined'>> {
  let img = resized.toColourspace('srgb');
  switch (p.format) {
    case 'jpeg':
      img = img.flatten({ background: '#ffffff' }).jpeg({ quality: p.quality ?? 80 });
      break;
    case 'png':
      img = img.png();
      break;
    case 'webp':
      img = img.webp({ quality: p.quality ?? 80 });
      break;
    case 'avif':
      // effort 2 of 9: AVIF's default effort costs several times the CPU for a few % of size.
      img = img.avif({ quality: p.quality ?? 55, effort: 2 });
      break;
  }
  try {
    const { data, info } = await img.toBuffer({ resolveWithObject: true });
    return { data, format: p.format, width: info.width, height: info.height };
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    if (/pixel limit/i.test(msg)) throw new ResizeError('ERR_TOO_MANY_PIXELS', 'image exceeds the pixel limit', { cause });
    throw new ResizeError('ERR_UNDECODABLE', `image could not be decoded: ${msg.split('\n')[0]}`, { cause });
  }
}
