import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU seconds in a /proc `stat` line (process or thread; Linux, USER_HZ = 100). */
function cpuSecondsIn(stat: string): number {
  // The name in parentheses may hold spaces: fields are counted after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  return cpuSecondsIn(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** A process and all its descendants now (from /proc's parent links). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited between the listing and the read
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** CPU seconds used so far by a process and its live descendants. */
export function treeCpuSeconds(root: number): number {
  let s = 0;
  for (const pid of processTree(root)) {
    try {
      s += cpuSecondsOf(pid);
    } catch {
      // exited
    }
  }
  return s;
}

/**
 * Idle and total CPU ticks so far, from /proc/stat (idle includes iowait): the whole
 * machine's, or one CPU's.
 */
function machineTicks(cpu?: number): { idle: number; total: number } {
  const name = cpu === undefined ? 'cpu' : `cpu${cpu}`;
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`/proc/stat has no ${name} line`);
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
}

/**
 * CPU milliseconds a process's live threads have used, by kind: `main` for the thread
 * running JavaScript, otherwise the thread's name (`node` for libuv's pool and V8's
 * helpers, `libvips worker`). Threads that already exited are not counted.
 */
export function threadCpuMs(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // exited between the listing and the read
    }
    const kind = Number(tid) === pid ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    out[kind] = (out[kind] ?? 0) + cpuSecondsIn(stat) * 1000;
  }
  return out;
}

/**
 * Pins every thread a process has now to `cpus` (a taskset list, e.g. '1' or '0-2');
 * threads it starts later inherit their creator's affinity. Needs util-linux's taskset.
 */
export function pinToCpus(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Runs `phase`, returning its result and how busy the machine (or one CPU) was meanwhile, 0–1. */
export async function busyWhile<T>(phase: () => Promise<T>, cpu?: number): Promise<{ result: T; busy: number }> {
  const t0 = machineTicks(cpu);
  const result = await phase();
  const t1 = machineTicks(cpu);
  return { result, busy: 1 - (t1.idle - t0.idle) / (t1.total - t0.total) };
}
