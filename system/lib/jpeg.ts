/**
 * A JPEG's marker segments, walked without decoding anything: what the api reads the
 * dimensions from (system/api/sniff.ts) and the worker reads orientation and colour profile
 * from (system/worker/jpeg-markers.ts). One walker, so both agree on where segments are.
 */

const SOI = 0xd8;
const SOS = 0xda;
const EOI = 0xd9;

/** The magic number: SOI followed by the next marker's 0xFF. */
export const isJpeg = (b: Buffer): boolean => b.length >= 3 && b[0] === 0xff && b[1] === SOI && b[2] === 0xff;

export interface JpegSegment {
  marker: number;
  /** Where the segment's payload starts (after its length) and where the segment ends. */
  body: number;
  end: number;
}

/** How the walk ended: at the first scan, at the end of the image, or at bytes that are not a marker. */
export type WalkEnd = 'scan' | 'eoi' | 'malformed';

/**
 * The segments with a length between SOI and the first scan, in order. A segment's `end` can
 * lie past the buffer (a cut file): the walk yields it and stops there as malformed. Bounded by
 * the buffer: every step moves forward.
 */
export function* jpegSegments(b: Buffer): Generator<JpegSegment, WalkEnd> {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return 'malformed';
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= SOI)) {
      at += 2; // markers without a length: TEM, RSTn, SOI
      continue;
    }
    if (marker === SOS) return 'scan';
    if (marker === EOI) return 'eoi';
    const length = b.readUInt16BE(at + 2);
    if (length < 2) return 'malformed';
    yield { marker, body: at + 4, end: at + 2 + length };
    at += 2 + length;
  }
  return 'malformed';
}
