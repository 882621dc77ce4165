/**
 * What each kind of fault does to the queue's leadership, declared beside the kinds rather
 * than listed in the runner: a fault that deposes a queue shard's leader starts a failover,
 * which the nemesis records (with the shard's epoch just before) so the failover checker can
 * time it from the history alone.
 */
import type { FaultSpec } from '../model/scenario.ts';

type Kind = FaultSpec['kind'];
type Of<K extends Kind> = Extract<FaultSpec, { kind: K }>;

/** Per kind: the queue shard whose leader such a fault deposes, or undefined. */
const deposes: { [K in Kind]: (f: Of<K>) => number | undefined } = {
  // A leader broker killed, stopped or frozen loses its Consul session: its shard fails over.
  kill: (f) => (f.target === 'leader-broker' ? (f.shard ?? 0) : undefined),
  stop: (f) => (f.target === 'leader-broker' ? (f.shard ?? 0) : undefined),
  pause: (f) => (f.target === 'leader-broker' ? (f.shard ?? 0) : undefined),
  // A leader cut off from Consul (or slowed past its session's TTL) cannot renew and steps down.
  partition: (f) => (f.path === 'leader-consul' ? (f.shard ?? 0) : undefined),
  toxic: (f) => (f.path === 'leader-consul' ? (f.shard ?? 0) : undefined),
};

/** The queue shard whose leader `f` deposes, so its failover is measured; undefined for other faults. */
export function deposedShard(f: FaultSpec): number | undefined {
  return (deposes[f.kind] as (f: FaultSpec) => number | undefined)(f);
}
