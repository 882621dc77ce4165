/**
 * What a JPEG's marker segments say about how it must be decoded, read without decoding:
 * its EXIF orientation and whether it carries an ICC profile. The JPEG fast path takes only
 * images that need neither auto-orientation nor colour management; anything else, including
 * a stream this scan cannot follow, goes to sharp, which does both.
 */
import { isJpeg, jpegSegments } from '../lib/jpeg.ts';

export interface JpegMarkers {
  /** EXIF orientation 1-8 (1 when there is no EXIF or no orientation tag). */
  orientation: number;
  iccProfile: boolean;
}

const APP1 = 0xe1;
const APP2 = 0xe2;
const ORIENTATION_TAG = 0x0112;

const startsWith = (b: Buffer, at: number, text: string) => b.toString('latin1', at, at + text.length) === text;

/** The segments before the first scan; undefined when the stream is not one this scan can follow. */
export function readJpegMarkers(jpeg: Buffer): JpegMarkers | undefined {
  if (!isJpeg(jpeg)) return undefined;
  const found: JpegMarkers = { orientation: 1, iccProfile: false };
  const segments = jpegSegments(jpeg);
  for (let next = segments.next(); ; next = segments.next()) {
    if (next.done) return next.value === 'scan' ? found : undefined;
    const { marker, body, end } = next.value;
    if (end > jpeg.length) return undefined;
    if (marker === APP1 && startsWith(jpeg, body, 'Exif\0\0')) {
      const orientation = exifOrientation(jpeg.subarray(body + 6, end));
      if (orientation === undefined) return undefined;
      found.orientation = orientation;
    }
    if (marker === APP2 && startsWith(jpeg, body, 'ICC_PROFILE\0')) found.iccProfile = true;
  }
}

/** IFD0's orientation tag from a TIFF structure (EXIF's payload); undefined when malformed. */
function exifOrientation(tiff: Buffer): number | undefined {
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}
