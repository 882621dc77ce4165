/**
 * The nemesis (Jepsen's name for the process that injects faults): a scenario's fault
 * timeline, as data, becomes a schedule of start and heal operations; the nemesis plays the
 * schedule against the system under test and logs every operation it performs into the
 * history, which is all the checkers see. Teardown heals whatever is still broken and logs
 * that too, so a history always says when each fault ended.
 */
import type { FaultWindow, NemesisOp } from '../load/history.ts';
import type { FaultSpec, FaultStep } from '../model/scenario.ts';
import { deposedShard } from './kinds.ts';

/** One scheduled operation: start a step's fault, or heal it. */
export interface ScheduledOp {
  /** ms after second 0 of the load. */
  atMs: number;
  f: 'start' | 'heal';
  step: FaultStep;
}

/** A step's start at `atS`, and its heal `forS` later; one-shot faults (no `forS`) have no heal. Ordered by time, heals first on ties (a fault ends before the next one begins). */
export function schedule(steps: readonly FaultStep[]): ScheduledOp[] {
  const ops: ScheduledOp[] = [];
  for (const step of steps) {
    ops.push({ atMs: step.atS * 1000, f: 'start', step });
    if (step.forS !== undefined) ops.push({ atMs: (step.atS + step.forS) * 1000, f: 'heal', step });
  }
  return ops.sort((a, b) => a.atMs - b.atMs || (a.f === b.f ? 0 : a.f === 'heal' ? -1 : 1));
}

/** What the nemesis drives: harness/faults/apply.ts's FaultInjector, or a stand-in in tests. */
export interface FaultDriver {
  /** Starts a fault; resolves with the function that heals it. */
  start(name: string, f: FaultSpec): Promise<() => Promise<void>>;
  /** Heals whatever the driver still holds (teardown); never throws. */
  healAll(): Promise<void>;
}

export interface NemesisOptions {
  driver: FaultDriver;
  /** A queue shard's leader epoch now (0 when unknown): failover is over once a higher one serves. */
  epochOf(shard: number): Promise<number>;
  say?: (line: string) => void;
  /** Wall clock in ms (tests pass a fake one). */
  now?: () => number;
}

/** A started fault: its heal, and its start still in progress (a heal waits for it). */
interface Active {
  started: Promise<(() => Promise<void>) | undefined>;
}

export class Nemesis {
  /** Every operation performed, in the order they completed. */
  readonly ops: NemesisOp[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly active = new Map<string, Active>();
  private readonly pending = new Set<Promise<void>>();
  private t0 = 0;

  constructor(private readonly o: NemesisOptions) {}

  private get now(): number {
    return (this.o.now ?? Date.now)() - this.t0;
  }

  /** Plays `steps` with second 0 at `t0` (epoch ms). */
  play(steps: readonly FaultStep[], t0: number): void {
    this.t0 = t0;
    for (const op of schedule(steps)) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.track(op.f === 'start' ? this.start(op.step) : this.heal(op.step.name));
      }, Math.max(0, op.atMs - this.now));
      this.timers.add(timer);
    }
  }

  /** Cancels what has not started yet and waits for operations in progress. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.pending);
  }

  /** Teardown: stops the schedule, heals every fault still active (logged), then the driver's leftovers. Never throws. */
  async healAll(): Promise<void> {
    await this.stop();
    for (const name of [...this.active.keys()]) await this.heal(name);
    await this.o.driver.healAll().catch(() => undefined);
  }

  /** The fault windows the ops describe (what the report draws and the recovery checker reads). */
  windows(): FaultWindow[] {
    return faultWindows(this.ops);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async start(step: FaultStep): Promise<void> {
    const shard = deposedShard(step.fault);
    // The epoch just before the fault; the op's time is taken after asking, at the fault itself.
    const epochBefore = shard === undefined ? 0 : await this.o.epochOf(shard).catch(() => 0);
    const t = this.now;
    const op: NemesisOp = { t, done: t, f: 'start', fault: step.name, kind: step.fault.kind, ok: true, ...(step.forS === undefined ? { oneShot: true } : {}), ...(shard === undefined ? {} : { deposes: { shard, epochBefore } }) };
    const started = this.o.driver.start(step.name, step.fault).then(
      (heal) => heal,
      (err: Error) => void Object.assign(op, { ok: false, error: err.message }),
    );
    // A one-shot fault (a kill) is over once done; only a fault with a heal stays active.
    if (step.forS !== undefined) this.active.set(step.name, { started });
    const heal = await started;
    op.done = this.now;
    this.ops.push(op);
    if (!op.ok) {
      this.active.delete(step.name);
      this.o.say?.(`fault ${step.name} could not start: ${op.error}`);
    } else if (!heal) this.active.delete(step.name);
  }

  private async heal(name: string): Promise<void> {
    const a = this.active.get(name);
    if (!a) return;
    this.active.delete(name);
    const heal = await a.started;
    if (!heal) return;
    const t = this.now;
    const op: NemesisOp = { t, done: t, f: 'heal', fault: name, kind: '', ok: true };
    await heal().catch((err: Error) => {
      Object.assign(op, { ok: false, error: err.message });
      this.o.say?.(`heal of ${name} failed: ${err.message}`);
    });
    op.done = this.now;
    op.kind = this.ops.find((o) => o.f === 'start' && o.fault === name)?.kind ?? '';
    this.ops.push(op);
  }
}

/**
 * Fault windows from nemesis ops: from a start's invocation to its heal's completion; a
 * one-shot fault's window ends when its start completed, a fault that could not start has
 * an empty window, and one never healed is open (no `endMs`).
 */
export function faultWindows(ops: readonly NemesisOp[]): FaultWindow[] {
  const windows: FaultWindow[] = [];
  for (const start of ops.filter((o) => o.f === 'start')) {
    const heal = ops.find((o) => o.f === 'heal' && o.fault === start.fault && o.t >= start.t);
    const endMs = !start.ok ? start.t : heal ? heal.done : start.oneShot ? start.done : undefined;
    windows.push({ name: start.fault, startMs: start.t, ...(endMs === undefined ? {} : { endMs }) });
  }
  return windows.sort((a, b) => a.startMs - b.startMs);
}
