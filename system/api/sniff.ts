/**
 * Identifies an image from its first bytes and reads its dimensions from the header alone,
 * before anything decodes pixels: a decompression bomb (a small file declaring billions of
 * pixels) is refused here in microseconds, never handed to a worker.
 */
import sharp, { type Metadata } from 'sharp';
import { UndecodableError, UnsupportedMediaTypeError } from './errors.ts';

export const inputFormats = ['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff', 'svg'] as const;
export type InputFormat = (typeof inputFormats)[number];

const declaredTypes: Record<string, InputFormat | 'any'> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
  'image/tiff': 'tiff',
  'image/svg+xml': 'svg',
  'application/octet-stream': 'any',
};

/** Checks the declared Content-Type before the body is read: 415 for one we never accept. */
export function checkDeclaredType(contentType: string | undefined): InputFormat | 'any' {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!mime) throw new UnsupportedMediaTypeError('set Content-Type to the image type (e.g. image/jpeg) or application/octet-stream');
  const t = declaredTypes[mime];
  if (!t) throw new UnsupportedMediaTypeError(`Content-Type ${mime} is not supported; send jpeg, png, webp, avif, gif, tiff or svg`);
  return t;
}

const ascii = (b: Buffer, start: number, end: number) => b.toString('latin1', start, end);

/** The format the bytes say they are, from magic numbers; undefined when not a supported image. */
export function sniffFormat(b: Buffer): InputFormat | 'heic' | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const boxEnd = Math.min(b.readUInt32BE(0), b.length, 256);
    const brands = [ascii(b, 8, 12)];
    for (let i = 16; i + 4 <= boxEnd; i += 4) brands.push(ascii(b, i, i + 4));
    if (brands.includes('avif') || brands.includes('avis')) return 'avif';
    if (brands.some((x) => ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1'].includes(x))) return 'heic';
    return undefined;
  }
  const head = b.toString('utf8', 0, Math.min(b.length, 1024)).replace(/^\uFEFF/, '').trimStart();
  if ((head.startsWith('<?xml') || head.startsWith('<svg') || head.startsWith('<!--')) && head.includes('<svg')) return 'svg';
  return undefined;
}

export interface Sniffed {
  format: InputFormat;
  width: number;
  height: number;
}

/**
 * The format and dimensions of an image body. 415 when it is a format we do not take,
 * 422 when it claims to be an image we take but its header cannot be read.
 */
export async function sniff(body: Buffer, declared: InputFormat | 'any'): Promise<Sniffed> {
  const format = sniffFormat(body);
  if (format === 'heic') throw new UnsupportedMediaTypeError('HEIC/HEIF images are not supported; send jpeg, png, webp, avif, gif, tiff or svg');
  if (!format) {
    if (declared === 'any') throw new UnsupportedMediaTypeError('the body is not an image in a supported format (jpeg, png, webp, avif, gif, tiff, svg)');
    throw new UndecodableError(`the body is not a valid ${declared} image`);
  }
  let meta: Metadata;
  try {
    // metadata() parses the header only; no pixel is decoded here.
    meta = await sharp(body, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new UndecodableError(`the ${format} header cannot be read: ${cause instanceof Error ? cause.message.split('\n')[0] : 'unknown error'}`);
  }
  const width = meta.width;
  const height = meta.pageHeight ?? meta.height;
  if (!width || !height) throw new UndecodableError(`the ${format} header has no dimensions`);
  return { format, width, height };
}
