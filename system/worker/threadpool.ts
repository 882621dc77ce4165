/**
 * The libuv thread pool a worker needs. Every sharp pipeline (and the fast path's decode
 * before it) runs on a libuv pool thread, and the pool has UV_THREADPOOL_SIZE of them, 4 by
 * default: a worker asked for 33 resizes at once on a 32-core machine would run 4 and leave
 * 28 cores idle. The size is read once, when the pool starts, which for an ES module entry is
 * before any of its code runs (loading it reads files through the pool), so whoever starts
 * the worker sets it: the harness's launcher, the deployment's instance environment
 * (terraform/modules/role). The worker checks it at start and says so when it is short.
 */

/** Pool threads beside the resizes: log writes, the odd file or DNS call. */
export const THREADPOOL_HEADROOM = 2;
const LIBUV_DEFAULT = 4;

/** UV_THREADPOOL_SIZE for a worker running `concurrency` resizes at once. */
export const threadpoolSizeFor = (concurrency: number): number => Math.max(LIBUV_DEFAULT, concurrency + THREADPOOL_HEADROOM);

/** This process's pool size as libuv reads it (an unset or unusable value means the default). */
export function threadpoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(n) && n > 0 ? n : LIBUV_DEFAULT;
}

/** Why this pool caps a worker of `concurrency` below what it was asked for, or undefined when it does not. */
export function threadpoolShortfall(concurrency: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const size = threadpoolSize(env);
  if (size >= concurrency) return undefined;
  return `UV_THREADPOOL_SIZE is ${size}: at most ${size} of the ${concurrency} resizes asked for (NINES_WORKER_CONCURRENCY) can run at once; start the worker with UV_THREADPOOL_SIZE=${threadpoolSizeFor(concurrency)}`;
}
