/**
 * The baseline the stack benchmarks compare with: raw sharp, through the worker's own
 * `resize()` with the parameters the stack is asked for and the worker's JPEG decoder (the
 * TurboJPEG fast path when the binding is built, as the stack's workers use it), `inFlight`
 * resizes at once (what one worker given that many cores runs) — in this process, or in
 * child processes.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resize } from '../system/worker/resize.ts';
import { loadTurboJpeg } from '../system/worker/turbojpeg.ts';
import { BufferPool } from '../system/lib/buffer-pool.ts';
import { DEFAULT_WORKER_BUFFER_POOL_BYTES } from '../system/lib/config.ts';
import { pinToCpus } from './proc.ts';
import { parseResizeQuery } from '../system/api/params.ts';
import type { ResizeParams } from '../system/lib/jobs.ts';

const maxPixels = 50_000_000;
const loaded = loadTurboJpeg();
// As the worker has it: the binding, and a buffer pool for the decoded pixels.
const jpeg = loaded instanceof Error ? undefined : { tj: loaded, pool: new BufferPool(DEFAULT_WORKER_BUFFER_POOL_BYTES) };

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
        await resize(image, params, maxPixels, jpeg);
        done++;
      }
    }),
  );
  return done;
}

export interface RawPhase {
  /** Resizes done in the phase, and the CPU milliseconds they took. */
  n: number;
  cpuMs: number;
}

export interface RawProcesses {
  /** One phase of `seconds` in every process at once; their counts and CPU summed. */
  run(seconds: number): Promise<RawPhase>;
  stop(): void;
}

/**
 * `count` child processes each running raw sharp with `inFlight` resizes at once, pinned to
 * `cpus[i]` when given (proc.ts `pinToCpus`). Sharp run this way is a stronger baseline
 * than in one process: on this project's 2-core machine two processes with one resize each
 * did 1.2–1.3 × the resizes of one process with two (bench/RESULTS.md).
 */
export async function startRawProcesses(image: Buffer, params: ResizeParams, count: number, inFlight: number, cpus?: string[]): Promise<RawProcesses> {
  const children = Array.from({ length: count }, () =>
    fork(fileURLToPath(new URL('./raw-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' }),
  );
  const reply = <T>(c: (typeof children)[number]) => new Promise<T>((resolve) => c.once('message', (m) => resolve(m as T)));
  await Promise.all(
    children.map((c, i) => {
      const ready = reply<string>(c);
      c.send({ image, params, inFlight });
      if (cpus?.[i] !== undefined) pinToCpus(c.pid!, cpus[i]!);
      return ready;
    }),
  );
  return {
    async run(seconds) {
      const phases = await Promise.all(
        children.map((c) => {
          const r = reply<RawPhase>(c);
          c.send({ seconds });
          return r;
        }),
      );
      return phases.reduce((a, p) => ({ n: a.n + p.n, cpuMs: a.cpuMs + p.cpuMs }), { n: 0, cpuMs: 0 });
    },
    stop: () => children.forEach((c) => c.kill()),
  };
}
