/**
 * Pins the load generator and the system under test to different CPUs (taskset), so that
 * on a small machine the engine's own work does not take its time from the stack it
 * measures, nor the stack's from the engine (which would read responses late and blame the
 * stack). Every thread of each process is moved (`taskset -a`), libvips' and libuv's
 * included. With one CPU, or without taskset, nothing is pinned and the reason is returned.
 *
 * On the stack's CPU the processes that do the bulk work in the background (the workers'
 * resizes, Prometheus) run at a lower priority (`nice` 10, every thread) than the front
 * door (HAProxy, the api, the broker). In a fleet they are on machines of their own; here
 * they share one CPU, and the scheduler's fair share would otherwise let a worker's libvips
 * threads, busy as long as there is work, delay HAProxy's and the api's replies by a time
 * slice each turn — the refusals' tail would then measure the sharing, not the shedding.
 * Measured (`nines scenario overload`, 14:44 UTC, quiet machine): the worker took ~60 % of
 * CPU 0, HAProxy ~16 %, the api ~15 %, the broker ~8 %, and refusals had a p99 of 170 ms in
 * seconds where their p50 was 2 ms.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import { tool } from './tools.ts';

export interface Pinning {
  /** CPUs of the stack's processes and of this process (the engine), as taskset lists. */
  stack: string;
  engine: string;
  /** Processes of the stack that were given the lower priority, by pid. */
  niced?: number[];
}

/** The nice value of the stack's background processes when pinned. */
export const BACKGROUND_NICE = 10;

/**
 * Moves `stackPids` and `backgroundPids` to CPU 0 (and, with more than 2, all but the last)
 * and this process to the last CPU; `backgroundPids` also get BACKGROUND_NICE.
 */
export function pinApart(stackPids: number[], backgroundPids: number[] = []): Pinning | { skipped: string } {
  const cpus = availableParallelism();
  if (cpus < 2) return { skipped: `one CPU: nothing to pin apart` };
  let taskset: string;
  try {
    taskset = tool('taskset');
  } catch (err) {
    return { skipped: (err as Error).message };
  }
  const engine = String(cpus - 1);
  const stack = cpus === 2 ? '0' : `0-${cpus - 2}`;
  for (const pid of [...stackPids, ...backgroundPids]) execFileSync(taskset, ['-a', '-p', '-c', stack, String(pid)], { stdio: 'ignore' });
  execFileSync(taskset, ['-a', '-p', '-c', engine, String(process.pid)], { stdio: 'ignore' });
  for (const pid of backgroundPids) niceEveryThread(pid, BACKGROUND_NICE);
  return { stack, engine, niced: backgroundPids };
}

/**
 * Linux's nice is per thread: setpriority on a pid changes only its main thread. Threads a
 * process makes later inherit their creator's value, so every thread alive now is changed.
 */
function niceEveryThread(pid: number, nice: number): void {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return; // the process has gone; the run will report it down
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // A thread that ended between the listing and here.
    }
  }
}

/** Lets this process run on every CPU again (after a pinned run, for whatever comes next). */
export function unpin(): void {
  try {
    execFileSync(tool('taskset'), ['-a', '-p', '-c', `0-${availableParallelism() - 1}`, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // Best effort: a process that cannot be unpinned still runs, on fewer CPUs.
  }
}
