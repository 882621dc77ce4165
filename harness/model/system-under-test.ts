/**
 * The system under test as the parts of the harness see it, whichever topology a scenario
 * asks for: where to send load, how to find the process a fault targets (the leader broker
 * of a queue shard *now*), and which Toxiproxy proxies make up a path. Only the interface
 * lives here, beside the scenario types, so harness/faults/ can take a system without
 * importing the runner that starts one (harness/scenario/sut.ts).
 */
import type { DispatchEvent } from '../stack/broker-logs.ts';
import type { ToxiproxyServer } from '../stack/toxiproxy.ts';
import type { Pinning } from '../stack/pin.ts';
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
  /** A topology nines started, or 'target': a deployment named by `--target FILE`. */
  kind: TopologySpec['kind'] | 'target';
  apiUrl: string;
  /** Prometheus scraping every process (harness/stack/prometheus.ts), when it runs. */
  prometheusUrl?: string;
  adminUrl: string;
  adminToken: string;
  /** How many queue shards (1 on the local topology). */
  shards: number;
  /** What network faults use of Toxiproxy (a target's own server has no process of ours). */
  toxiproxy?: Pick<ToxiproxyServer, 'url' | 'client' | 'reset'>;
  /** The process a fault aimed at `aim` hits right now; FaultTargetError when the topology has no such process. */
  resolve(aim: ProcessAim): Promise<Controllable>;
  /** The proxies that carry a path right now (e.g. api -> the current leader of the aim's shard). */
  proxiesFor(aim: PathAim): Promise<string[]>;
  /** The epoch of `shard`'s leader broker now (0 when there is no election). */
  leaderEpoch(shard?: number): Promise<number>;
  dispatchEvents(): DispatchEvent[];
  /** Where the stack and the load engine were pinned (topology `pin`), or why they were not. */
  pinned?: Pinning | { skipped: string };
  /** Names of the topology's processes that are not running (crashed); absent where faults kill on purpose. */
  down?(): string[];
  /** The highest RSS any api server had since the topology started, MiB (local topology). */
  apiRssPeakMb?(): number;
  stop(): Promise<void>;
}
