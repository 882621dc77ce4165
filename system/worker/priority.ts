/**
 * The worker's CPU priority: resizing is bulk work, and where a worker shares a machine with
 * the processes that route requests (the api, the broker, Consul: `npm start`, a small
 * deployment, the benches), a resize thread holding a core when the api's event loop wakes
 * adds a scheduler time slice to that request's latency. A niceness above 0 lets them run
 * first; on a machine of its own the worker gets every core it got before, since nothing
 * else wants them.
 *
 * Linux gives niceness per thread and a new thread inherits its creator's, so every thread
 * the process already has is lowered (libuv's pool may have started for a file read) and
 * every later one (the pool's, libvips') starts lowered. Only lowering: raising needs
 * privilege, and a worker started already nicer is left alone.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export interface Lowered {
  nice: number;
  threads: number;
}

/** Lowers every thread of this process to `nice` (0-19); throws what the OS refused. */
export function lowerPriority(nice: number): Lowered {
  if (getPriority(0) >= nice) return { nice: getPriority(0), threads: 0 };
  const tids = threadIds();
  for (const tid of tids) setPriority(tid, nice);
  return { nice, threads: tids.length };
}

function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    // Not Linux: the process-wide call is all there is.
    return [0];
  }
}
