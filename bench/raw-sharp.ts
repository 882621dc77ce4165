/**
 * The baseline both stack benchmarks compare with: raw sharp in this process, through the
 * worker's own `resize()` with the parameters the stack is asked for, `inFlight` resizes at
 * once (what one worker given that many cores runs).
 */
import { resize } from '../system/worker/resize.ts';
import { parseResizeQuery } from '../system/api/params.ts';
import type { ResizeParams } from '../system/lib/jobs.ts';

const maxPixels = 50_000_000;

/** The resize a `POST /v1/resize?<query>` of a JPEG asks for (format defaults to the input's). */
export function resizeParamsOf(query: string): ResizeParams {
  const q = parseResizeQuery(Object.fromEntries(new URLSearchParams(query)), 8192);
  return { width: q.width, height: q.height, fit: q.fit, format: q.format ?? 'jpeg', quality: q.quality };
}

/** Resizes completed in `durationS` seconds. */
export async function rawSharp(image: Buffer, params: ResizeParams, durationS: number, inFlight: number): Promise<number> {
  const until = performance.now() + durationS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        await resize(image, params, maxPixels);
        done++;
      }
    }),
  );
  return done;
}
