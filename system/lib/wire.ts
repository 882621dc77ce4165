/**
 * The binary frame every queue message uses: a 4-byte big-endian header length, a UTF-8
 * JSON header, then the raw body bytes. Image bytes therefore travel as bytes, never as
 * base64 inside JSON, and a receiver can read the header without touching the body.
 *
 * A batch frame (system/lib/jobs.ts) lists its items in the header, each with the `bytes` of
 * its body, and carries the bodies back to back: `encodeBatch` builds one, `splitBodies`
 * cuts its body into views (no copies).
 */
import type { z } from 'zod';

export interface Frame<H> {
  header: H;
  body: Buffer;
}

export class FrameError extends Error {
  readonly code = 'ERR_BAD_FRAME';
}

/** A header larger than this is refused before it is parsed (a batch of 256 jobs is ~100 KB). */
export const MAX_HEADER_BYTES = 512 * 1024;

/**
 * Decodes a frame through the schema of its header; throws FrameError on a malformed one (too
 * short, a header length past the end or over MAX_HEADER_BYTES, not JSON, not the schema's
 * shape). The body is a view, not a copy.
 */
export function decodeFrame<S extends z.ZodType>(buf: Buffer, schema: S): Frame<z.infer<S>> {
  if (buf.length < 4) throw new FrameError(`frame too short: ${buf.length} bytes`);
  const headLen = buf.readUInt32BE(0);
  if (headLen > buf.length - 4) throw new FrameError(`frame header length ${headLen} exceeds frame`);
  if (headLen > MAX_HEADER_BYTES) throw new FrameError(`frame header of ${headLen} bytes is over ${MAX_HEADER_BYTES}`);
  return { header: decodeJson(buf.subarray(4, 4 + headLen), schema), body: buf.subarray(4 + headLen) };
}

/** Decodes a JSON message through its schema; throws FrameError when it is not JSON or not the shape. */
export function decodeJson<S extends z.ZodType>(buf: Buffer, schema: S): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (cause) {
    throw new FrameError('not JSON', { cause });
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new FrameError(r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return r.data;
}

/** A batch frame: `header` lists the items (each with its `bytes`), `bodies` follow in that order. */
export function encodeBatch(header: object, bodies: readonly Buffer[]): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(head.length, 0);
  return Buffer.concat([len, head, ...bodies.filter((b) => b.length > 0)]);
}

/** Cuts a batch frame's body into one view per item; throws FrameError when the sizes do not add up. */
export function splitBodies(body: Buffer, items: ReadonlyArray<{ bytes: number }>): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const item of items) {
    out.push(body.subarray(at, at + item.bytes));
    at += item.bytes;
  }
  if (at !== body.length) throw new FrameError(`items declare ${at} body bytes, the frame has ${body.length}`);
  return out;
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
  if (json.length > room) return encodeBatch(header, [frame.subarray(4 + room)]);
  json.copy(frame, 4);
  frame.fill(0x20, 4 + json.length, 4 + room);
  return frame;
}
