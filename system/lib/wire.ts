/**
 * The binary frame every queue message uses: a 4-byte big-endian header length, a UTF-8
 * JSON header, then the raw body bytes. Image bytes therefore travel as bytes, never as
 * base64 inside JSON, and a receiver can read the header without touching the body.
 */
export interface Frame<H> {
  header: H;
  body: Buffer;
}

export class FrameError extends Error {
  readonly code = 'ERR_BAD_FRAME';
}

export function encodeFrame(header: object, body?: Buffer): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(head.length, 0);
  return body && body.length > 0 ? Buffer.concat([len, head, body]) : Buffer.concat([len, head]);
}

/** Decodes a frame; throws FrameError on a malformed one. The body is a view, not a copy. */
export function decodeFrame<H = Record<string, unknown>>(buf: Buffer): Frame<H> {
  if (buf.length < 4) throw new FrameError(`frame too short: ${buf.length} bytes`);
  const headLen = buf.readUInt32BE(0);
  if (headLen > buf.length - 4) throw new FrameError(`frame header length ${headLen} exceeds frame`);
  let header: H;
  try {
    header = JSON.parse(buf.subarray(4, 4 + headLen).toString('utf8')) as H;
  } catch (cause) {
    throw new FrameError('frame header is not JSON', { cause });
  }
  return { header, body: buf.subarray(4 + headLen) };
}
