/**
 * Worker-thread entry: runs one schedule slice and streams its seconds to the parent.
 * Messages in: `start` (with the shared start instant), `stop`. Messages out: `ready`,
 * `bucket`, `progress`, `done`, `error`. Spawned by threads.ts, never imported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveFactory } from './request.ts';
import { startSlice, type RunningSlice } from './slice.ts';
import type { ToWorker, WorkerInit } from './threads.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

try {
  const factory = await resolveFactory(init.source);
  let slice: RunningSlice | null = null;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'start' && !slice) {
      // performance.now() counts from each thread's own origin; an absolute instant
      // (origin + now) is what the threads share.
      slice = startSlice(init.options, factory, m.startEpochMs - performance.timeOrigin, {
        bucket: (bucket) => port.postMessage({ type: 'bucket', bucket }),
        progress: (counters, elapsedMs) => port.postMessage({ type: 'progress', counters, elapsedMs }),
      });
      slice.done.then(
        (result) => {
          port.postMessage({ type: 'done', result });
          port.close();
        },
        (err: unknown) => port.postMessage({ type: 'error', message: String((err as Error)?.stack ?? err) }),
      );
    } else if (m.type === 'stop') slice?.stop();
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'error', message: `load worker could not start: ${(err as Error)?.message ?? err}` });
  port.close();
}
