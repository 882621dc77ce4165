/**
 * The rules that turn a fault's aim into what it hits, as pure functions of what the
 * running topology says (its shard count, its proxies, a shard's leader now), so each rule
 * is tested without processes. sut.ts asks the topology and applies them.
 */
import type { FaultStep, LeaderPath, PathTarget, TopologySpec } from '../model/scenario.ts';

export class FaultTargetError extends Error {
  readonly code = 'ERR_FAULT_TARGET';
}

/** The queue shard an aim names (default 0); FaultTargetError when the topology has no such shard. */
export function aimedShard(aim: { shard?: number }, shards: number): number {
  const shard = aim.shard ?? 0;
  if (Number.isInteger(shard) && shard >= 0 && shard < shards) return shard;
  const have = shards === 1 ? 'only shard 0' : `shards 0-${shards - 1}`;
  throw new FaultTargetError(`a fault aims at queue shard ${shard}, but the topology has ${have}; give the scenario's topology more shards (nines scenario --shards N)`);
}

export function isLeaderPath(path: PathTarget): path is LeaderPath {
  return path.split('-').includes('leader');
}

/**
 * The proxies that carry `path`, from every proxy name in the topology. `leaderId` is the
 * leader broker of the fault's shard, needed (and given) only for a leader path: `api-leader`
 * is the one proxy `api-<leader>`, `leader-consul` every `<leader>-consul-K`, `worker-blobs`
 * every `worker-blobs-<api>`.
 */
export function pathProxies(path: PathTarget, proxyNames: string[], leaderId?: string): string[] {
  const [from, to] = path.split('-') as [string, string];
  if (isLeaderPath(path) && !leaderId) throw new FaultTargetError(`path ${path} needs the leader broker of its shard, and none was found`);
  const src = from === 'leader' ? leaderId! : from;
  const out = to === 'leader' ? proxyNames.filter((n) => n === `${src}-${leaderId}`) : proxyNames.filter((n) => n.startsWith(`${src}-${to}-`));
  if (out.length === 0) throw new FaultTargetError(`no proxy carries path ${path}`);
  return out;
}

/** Refuses, before anything starts, a timeline with a fault aimed at a shard the topology will not have. */
export function checkFaultShards(steps: FaultStep[], topology: TopologySpec): void {
  const shards = topology.kind === 'ha' ? (topology.shards ?? 1) : 1;
  for (const step of steps) {
    try {
      aimedShard(step.fault, shards);
    } catch (err) {
      throw new FaultTargetError(`fault '${step.name}': ${(err as Error).message}`);
    }
  }
}
