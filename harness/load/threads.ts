/**
 * Runs schedule slices in worker threads and relays their messages. Workers load
 * TypeScript through tsx: on Node 20, `execArgv: ['--import', 'tsx']` does not apply to a
 * worker's entry module (nodejs/node#47747, privatenumber/tsx#354: ERR_UNKNOWN_FILE_EXTENSION),
 * so a tiny bootstrap registers tsx's ESM hooks inside the worker, then imports worker.ts.
 */
import { Worker } from 'node:worker_threads';
import type { Counters } from './buckets.ts';
import type { SecondBucket } from './history.ts';
import type { FactoryModule, RequestSpec } from './request.ts';
import type { SliceEvents, SliceOptions, SliceResult } from './slice.ts';

export interface WorkerInit {
  options: SliceOptions;
  source: RequestSpec | FactoryModule;
}

export type ToWorker = { type: 'start'; startEpochMs: number } | { type: 'stop' };

type FromWorker =
  | { type: 'ready' }
  | { type: 'bucket'; bucket: SecondBucket }
  | { type: 'progress'; counters: Counters; elapsedMs: number }
  | { type: 'done'; result: SliceResult }
  | { type: 'error'; message: string };

const entry = new URL('./worker.ts', import.meta.url);

function spawn(init: WorkerInit): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: init });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** A slice running in its own thread. */
export class ThreadSlice {
  readonly #worker: Worker;
  readonly ready: Promise<void>;
  readonly done: Promise<SliceResult>;

  /** Spawns the worker; `ready` resolves once its request factory is built. */
  constructor(init: WorkerInit, events: SliceEvents) {
    this.#worker = spawn(init);
    let onReady!: () => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      onReady = res;
      failed = rej;
    });
    this.done = new Promise<SliceResult>((resolve, reject) => {
      const fail = (e: Error): void => {
        failed(e);
        reject(e);
        void this.#worker.terminate();
      };
      this.#worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') onReady();
        else if (m.type === 'bucket') events.bucket(m.bucket);
        else if (m.type === 'progress') events.progress(m.counters, m.elapsedMs);
        else if (m.type === 'done') {
          resolve(m.result);
          void this.#worker.terminate();
        } else if (m.type === 'error') fail(new Error(m.message));
      });
      this.#worker.on('error', fail);
      this.#worker.on('exit', (code) => fail(new Error(`load worker exited with code ${code} before finishing`)));
    });
    // Whoever awaits `done` sees the error; `ready` must not raise an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** Begins the slice at an absolute instant (performance.timeOrigin + performance.now()). */
  start(startEpochMs: number): void {
    this.#worker.postMessage({ type: 'start', startEpochMs } satisfies ToWorker);
  }

  stop(): void {
    this.#worker.postMessage({ type: 'stop' } satisfies ToWorker);
  }

  /** Ends the thread at once (after a failure elsewhere). */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}
