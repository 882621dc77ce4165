/**
 * Pins the load generator and the system under test to different CPUs (taskset), so that
 * on a small machine the engine's own work does not take its time from the stack it
 * measures, nor the stack's from the engine (which would read responses late and blame the
 * stack). Every thread of each process is moved (`taskset -a`), libvips' and libuv's
 * included. With one CPU, or without taskset, nothing is pinned and the reason is returned.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { tool } from './tools.ts';

export interface Pinning {
  /** CPUs of the stack's processes and of this process (the engine), as taskset lists. */
  stack: string;
  engine: string;
}

/** Moves `stackPids` to CPU 0 (and, with more than 2, all but the last) and this process to the last CPU. */
export function pinApart(stackPids: number[]): Pinning | { skipped: string } {
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
  for (const pid of stackPids) execFileSync(taskset, ['-a', '-p', '-c', stack, String(pid)], { stdio: 'ignore' });
  execFileSync(taskset, ['-a', '-p', '-c', engine, String(process.pid)], { stdio: 'ignore' });
  return { stack, engine };
}

/** Lets this process run on every CPU again (after a pinned run, for whatever comes next). */
export function unpin(): void {
  try {
    execFileSync(tool('taskset'), ['-a', '-p', '-c', `0-${availableParallelism() - 1}`, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // Best effort: a process that cannot be unpinned still runs, on fewer CPUs.
  }
}
