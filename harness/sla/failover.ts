/**
 * Failover figures from a history alone: the nemesis logged when a fault deposed a queue
 * shard's leader and that shard's epoch just before; the failover probe logged which shard
 * and epoch served each of its requests. Failover time is from the fault to the first
 * success served under a higher epoch of the same shard (epochs are ordered only within a
 * shard). Pure.
 */
import { firstServedByNewLeader } from '../load/failover-probe.ts';
import type { History } from '../load/history.ts';

export interface FailoverFigures {
  /** Seconds until the shard's new leader served; null when none did. */
  seconds: number | null;
  shard: number;
}

/** The first leader-deposing fault's failover, or undefined when the run had none or no probe. */
export function failoverOf(h: History): FailoverFigures | undefined {
  const start = h.ops?.find((o) => o.f === 'start' && o.ok && o.deposes);
  if (!start?.deposes || !h.probe) return undefined;
  const ms = firstServedByNewLeader(h.probe, start.t, start.deposes.epochBefore, start.deposes.shard);
  return { seconds: ms === undefined ? null : ms / 1000, shard: start.deposes.shard };
}

/** Accepted requests never answered: the load's `info` outcomes (timeout, reset after sending) and the probe's unanswered ones. */
export function lostAccepted(h: History): number {
  return h.failures.filter((f) => f.outcome === 'info').length + (h.probe ?? []).filter((p) => p.status === 0).length;
}
