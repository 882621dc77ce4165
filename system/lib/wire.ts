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

/**
 * Zero-copy framing for large bodies. A producer that knows a body is coming allocates the
 * frame first, with HEADROOM bytes reserved for the header, and reads the body straight
 * into place; a forwarder (the broker) rewrites the header in place. Without this, each
 * hop would allocate and copy the whole image once more just to prepend a few hundred
 * bytes. JSON allows trailing whitespace, so a padded header decodes like any other.
 */
export const HEADROOM = 1024;

/**
 * A frame with room for a header of up to HEADROOM bytes and a body of `bodyLength`; from
 * `pool` when given (system/lib/buffer-pool.ts), so the caller must release it there.
 */
export function allocFrame(bodyLength: number, pool?: { acquire(length: number): Buffer }): Buffer {
  const frame = pool ? pool.acquire(4 + HEADROOM + bodyLength) : Buffer.allocUnsafe(4 + HEADROOM + bodyLength);
  frame.writeUInt32BE(HEADROOM, 0);
  frame.fill(0x20, 4, 4 + HEADROOM);
  return frame;
}

/** The body region of a frame made by allocFrame. */
export const frameBody = (frame: Buffer): Buffer => frame.subarray(4 + frame.readUInt32BE(0));

/**
 * Writes `header` into the frame's header region when it fits and returns the same frame;
 * otherwise returns a new frame (one copy). Either way the body is unchanged.
 */
export function setFrameHeader(frame: Buffer, header: object): Buffer {
  const room = frame.readUInt32BE(0);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  if (json.length > room) return encodeFrame(header, frame.subarray(4 + room));
  json.copy(frame, 4);
  frame.fill(0x20, 4 + json.length, 4 + room);
  return frame;
}
