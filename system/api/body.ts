/**
 * Reads a request body up to a byte limit. A declared Content-Length over the limit is
 * refused before a byte is read; a chunked body is counted as it streams and refused the
 * moment it passes the limit, so a huge upload is never buffered.
 */
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, EmptyBodyError } from './errors.ts';
import { NinesError } from '../lib/errors.ts';
import { allocFrame, frameBody, HEADROOM } from '../lib/wire.ts';
import type { BufferPool } from '../lib/buffer-pool.ts';

/** Where request bodies are read into: pooled frames for large images, fresh ones for small. */
export interface FrameAllocator {
  alloc(bodyLength: number): Buffer;
  /** Gives a frame from `alloc` back (a no-op for an unpooled one). */
  free(frame: Buffer): void;
  /** True for a pooled frame: its image must go by claim check (see resize-route.ts). */
  pooled(frame: Buffer): boolean;
}

/**
 * Images of `pooledFrom` bytes or more are read into pooled frames: they are the ones that
 * would otherwise churn image-sized memory through the garbage collector (buffer-pool.ts).
 */
export function frameAllocator(pool: BufferPool, pooledFrom: number): FrameAllocator {
  return {
    alloc: (n) => (n >= pooledFrom ? allocFrame(n, pool) : allocFrame(n)),
    free: (frame) => pool.release(frame),
    pooled: (frame) => pool.holds(frame),
  };
}

const unpooled: FrameAllocator = { alloc: (n) => allocFrame(n), free: () => undefined, pooled: () => false };

export class BodyAbortedError extends NinesError {
  constructor() {
    super('ERR_BODY_ABORTED', 400, 'Bad Request', 'the client closed the connection before the body was complete');
  }
}

/** Throws BodyTooLargeError early when Content-Length alone says the body is too big. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
}

/**
 * Reads the body into a queue frame (system/lib/wire.ts `allocFrame`), so the image is
 * copied once, from the socket into the frame it will be published in. Returns the frame;
 * `frameBody(frame)` is the image. The caller owns the frame and gives it back with
 * `frames.free` when the request is over; on failure nothing is left held.
 */
export function readBody(req: IncomingMessage, limit: number, frames: FrameAllocator = unpooled): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  // With a declared length, read straight into place; otherwise collect and copy once.
  const direct = Number.isInteger(declared) && declared > 0 && declared <= limit ? frames.alloc(declared) : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (direct && body !== direct) frames.free(direct);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading; the error handler answers 413 and closes the connection.
        req.pause();
        finish(new BodyTooLargeError(limit));
        return;
      }
      if (direct && size <= declared) chunk.copy(direct, 4 + HEADROOM + size - chunk.length);
      else chunks.push(chunk);
    };
    const onEnd = () => {
      if (size === 0) return finish(new EmptyBodyError());
      if (direct && size === declared) return finish(undefined, direct);
      const frame = frames.alloc(size);
      const body = frameBody(frame);
      let at = 0;
      for (const c of direct ? [direct.subarray(4 + HEADROOM, 4 + HEADROOM + Math.min(size, declared)), ...chunks] : chunks) at += c.copy(body, at);
      finish(undefined, frame);
    };
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new BodyAbortedError());
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}
