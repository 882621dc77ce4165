/**
 * The system under test as the parts of the harness see it, whichever topology a scenario
 * asks for: where to send load, how to find the process a fault targets (the leader broker
 * of a queue shard *now*), and which Toxiproxy proxies make up a path. Only the interface
 * lives here, beside the scenario types, so harness/faults/ can take a system without
 * importing the runner that starts one (harness/scenario/sut.ts).
 */
import type { DispatchEvent } from '../stack/broker-logs.ts';
import type { ToxiproxyServer } from '../stack/toxiproxy.ts';
import type { PathAim, ProcessAim, TopologySpec } from './scenario.ts';

/** One process a fault can act on, whatever kind of process it is. */
export interface Controllable {
  name: string;
  readonly running: boolean;
  kill(): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
  start(): Promise<unknown>;
}

export interface SystemUnderTest {
  kind: TopologySpec['kind'];
  apiUrl: string;
  /** Prometheus scraping every process (harness/stack/prometheus.ts), when it runs. */
  prometheusUrl?: string;
  adminUrl: string;
  adminToken: string;
  /** How many queue shards (1 on the local topology). */
  shards: number;
  toxiproxy?: ToxiproxyServer;
  /** The process a fault aimed at `aim` hits right now; FaultTargetError when the topology has no such process. */
  resolve(aim: ProcessAim): Promise<Controllable>;
  /** The proxies that carry a path right now (e.g. api -> the current leader of the aim's shard). */
  proxiesFor(aim: PathAim): Promise<string[]>;
  /** The epoch of `shard`'s leader broker now (0 when there is no election). */
  leaderEpoch(shard?: number): Promise<number>;
  dispatchEvents(): DispatchEvent[];
  stop(): Promise<void>;
}
