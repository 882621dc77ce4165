/**
 * The layout of an `ha` topology before anything starts: which brokers exist, which queue
 * shard each serves, and the ports every process must be told in advance (brokers and api
 * blob ports sit behind Toxiproxy, so their proxies need the port before the process runs).
 */
import { freePort } from './ports.ts';

export class TopologyOptionsError extends Error {
  readonly code = 'ERR_TOPOLOGY_OPTIONS';
}

export interface BrokerSlot {
  id: string;
  shard: number;
  /** Position among all brokers: picks the broker's preferred ("local") Consul server. */
  index: number;
  mqttPort: number;
}

export interface ApiSlot {
  id: string;
  blobPort: number;
}

export interface TopologyPlan {
  shards: number;
  brokers: BrokerSlot[];
  apis: ApiSlot[];
}

/**
 * Broker ids by shard: `perShard` brokers for each of `shards` shards, numbered on across
 * shards (2 per shard: b1,b2 serve shard 0, b3,b4 shard 1), so ids stay unique in the fleet.
 */
export function brokerLayout(shards: number, perShard: number): Array<{ id: string; shard: number }> {
  for (const [name, v] of [['shards', shards], ['brokers per shard', perShard]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new TopologyOptionsError(`${name} must be a whole number of at least 1, not ${v}`);
  }
  return Array.from({ length: shards * perShard }, (_, i) => ({ id: `b${i + 1}`, shard: Math.floor(i / perShard) }));
}

/** Lays the topology out and reserves its ports; throws TopologyOptionsError on a bad count. */
export async function planTopology(o: { shards?: number; brokers?: number; apis?: number }): Promise<TopologyPlan> {
  const layout = brokerLayout(o.shards ?? 1, o.brokers ?? 2);
  const brokers = await Promise.all(layout.map(async (b, index) => ({ ...b, index, mqttPort: await freePort() })));
  const apis = await Promise.all(Array.from({ length: o.apis ?? 2 }, async (_, i) => ({ id: `a${i + 1}`, blobPort: await freePort() })));
  return { shards: o.shards ?? 1, brokers, apis };
}
