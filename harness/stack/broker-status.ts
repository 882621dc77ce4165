/**
 * What the brokers say about themselves (`GET /status`), decoded through a schema, and the
 * questions the topology asks of it: who leads a queue shard, and is every shard ready.
 * The questions are pure functions of the statuses, so they are tested without processes.
 */
import { z } from 'zod';
import type { ManagedProcess } from './process.ts';

const statusSchema = z.object({
  id: z.string(),
  shard: z.number().int().nonnegative(),
  leader: z.boolean(),
  epoch: z.number().int().nullable(),
  queued: z.number(),
  inflight: z.number(),
  workers: z.number(),
  clients: z.number(),
});

export type BrokerStatus = z.infer<typeof statusSchema>;
export type BrokerState = BrokerStatus & { process: ManagedProcess };

/** A broker's /status, or undefined when it is down, does not answer in 500 ms, or answers something else. */
export async function fetchBrokerStatus(p: ManagedProcess): Promise<BrokerState | undefined> {
  if (!p.running) return undefined;
  try {
    const r = await fetch(`http://127.0.0.1:${String(p.info.httpPort)}/status`, { signal: AbortSignal.timeout(500) });
    const s = statusSchema.safeParse(await r.json());
    return s.success ? { ...s.data, process: p } : undefined;
  } catch {
    return undefined;
  }
}

/** The one broker leading `shard` (other than `not`); undefined while none or several do. */
export function leaderOf<S extends BrokerStatus & { process: unknown }>(states: S[], shard: number, not?: unknown): S | undefined {
  const leaders = states.filter((s) => s.leader && s.shard === shard && s.process !== not);
  return leaders.length === 1 ? leaders[0] : undefined;
}

/** Every shard 0..shards-1 has exactly one leader, and at least `workers` workers are connected to each. */
export function everyShardReady(states: Array<BrokerStatus & { process: unknown }>, shards: number, workers: number): boolean {
  return Array.from({ length: shards }, (_, s) => leaderOf(states, s)).every((l) => l !== undefined && l.workers >= workers);
}

/** One line for a wait's error: each broker's shard, role, epoch and workers, e.g. `b1 s0 leader e7 w2, b2 s0 standby`. */
export function describeStates(states: BrokerStatus[]): string {
  if (states.length === 0) return 'no broker answered /status';
  return states.map((s) => `${s.id} s${s.shard} ${s.leader ? `leader e${String(s.epoch)} w${s.workers}` : 'standby'}`).join(', ');
}
