/**
 * The scenario as data, in harness/model/ because both sides of the harness read it: the
 * runner (harness/scenario/) and the parts it drives (harness/faults/, harness/k6/). Kept
 * here rather than in scenario/ so those parts never import the runner back and the folders
 * do not loop (test/harness/model/imports.test.ts keeps it so).
 *
 * A scenario is data, like a Jepsen test map: a topology, a load profile, a fault timeline
 * and the SLAs that must hold. All behaviour lives in the harness (harness/scenario/run.ts);
 * the files under scenarios/ only describe. `quick` is the reduced rate and duration that
 * `npm test` uses; `nines scenario <name>` runs the full length.
 */
/**
 * A ramping stage may be named (`phase`): the runner records it as a window in the history,
 * like a fault's, so a `recovery` SLA can judge the seconds after a flood and the
 * `goodput` probe can compare phases.
 */
export type Profile =
  | { kind: 'constant'; rate: number; durationS: number }
  | { kind: 'ramping'; startRate: number; stages: Array<{ rate: number; durationS: number; phase?: string }> };

export type TopologySpec =
  /**
   * One broker, no Consul: the embedded default (`npm start`). `lb`: HAProxy in front of the
   * api servers, from deploy/haproxy/haproxy.cfg (`serverMaxConn`: its per-server cap;
   * `keyMaxRate`: requests/s one API key may send through it).
   * `pin`: the stack on CPU 0, the load engine on the last CPU (harness/stack/pin.ts).
   */
  | { kind: 'local'; workers?: number; workerConcurrency?: number; apis?: number; env?: EnvByRole; lb?: { serverMaxConn?: number; keyMaxRate?: number }; pin?: boolean }
  /**
   * Consul cluster, Toxiproxy on every path, HAProxy, and `shards` queue shards (default 1),
   * each served by `brokers` brokers (default 2) electing the shard's leader.
   */
  | { kind: 'ha'; shards?: number; brokers?: number; workers?: number; workerConcurrency?: number; apis?: number; env?: EnvByRole };

export type HaTopologySpec = Extract<TopologySpec, { kind: 'ha' }>;

export type EnvByRole = Partial<Record<'broker' | 'identity' | 'usage' | 'worker' | 'api', Record<string, string>>>;

/** Which broker of a queue shard a fault hits: the one leading it when the fault starts, or one standing by. */
export type BrokerTarget = 'leader-broker' | 'standby-broker';

/** Who a process fault hits, resolved when the fault starts. */
export type ProcessTarget = BrokerTarget | 'worker' | 'api' | 'usage' | 'identity' | 'consul-leader';

/**
 * A process fault's aim. A broker target belongs to a queue shard (`shard`, default 0);
 * nothing else has one, so `{ target: 'worker', shard: 1 }` does not type-check.
 */
export type ProcessAim = { target: BrokerTarget; shard?: number } | { target: Exclude<ProcessTarget, BrokerTarget>; shard?: never };

/** The paths that go to or from a leader broker; `leader` resolves to the leader of the fault's shard. */
export type LeaderPath = `${'api' | 'worker' | 'usage'}-leader` | 'leader-consul';

/**
 * A network path, named `<from>-<to>` after its Toxiproxy proxy.
 * `worker-blobs`: workers fetching claim-checked images from every api server.
 */
export type PathTarget = LeaderPath | `${'api' | 'worker' | 'usage'}-consul` | 'worker-blobs';

/** A network fault's aim: a leader path belongs to a queue shard (`shard`, default 0), no other path has one. */
export type PathAim = { path: LeaderPath; shard?: number } | { path: Exclude<PathTarget, LeaderPath>; shard?: never };

export type FaultSpec =
  | ({ kind: 'kill'; restart?: boolean } & ProcessAim)
  | ({ kind: 'pause' } & ProcessAim)
  | ({ kind: 'stop'; restart?: boolean } & ProcessAim)
  | ({ kind: 'partition' } & PathAim)
  | ({
      kind: 'toxic';
      toxic: 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';
      stream?: 'upstream' | 'downstream';
      attributes: Record<string, number>;
    } & PathAim);

export interface FaultStep {
  /** Shown on the report's fault windows. */
  name: string;
  /** Seconds after the load starts. */
  atS: number;
  /** How long until it heals; absent: a one-shot fault (a kill) that heals by restart or not at all. */
  forS?: number;
  fault: FaultSpec;
}

export interface LoadSpec {
  profile: Profile;
  /** Fixture images (from ../shared/fixtures/images), picked round-robin by weight. */
  images: Array<{ fixture: string; weight?: number }>;
  /** Query string of POST /v1/resize. */
  query: string;
  timeoutMs: number;
  /** Most requests in flight before new ones count as dropped (k6's maxVUs). */
  maxInFlight?: number;
  /** Connections the engine opens (default 256). */
  connections?: number;
  /**
   * Load from groups of tenants with real limits, instead of one scenario tenant whose
   * limits never bind: each group is `count` tenants (default 1) of `ratePerSec`/`burst`,
   * sent `share` of the requests (weights over the groups, interleaved evenly, tenants of a
   * group in turn). A group's latency is also recorded under its `name` as a class, and its
   * failures counted in the measurement `failed:<name>`.
   */
  tenants?: TenantGroup[];
}

export interface TenantGroup {
  name: string;
  count?: number;
  ratePerSec: number;
  burst?: number;
  share: number;
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  kind: 'capacity' | 'chaos';
  topology: TopologySpec;
  load: LoadSpec;
  faults: FaultStep[];
  /** SLA specs in harness/sla syntax (k6-style thresholds). */
  slas: unknown[];
  /** What `npm test` runs instead of the full profile. */
  quick?: { profile: Profile };
  /**
   * Extra measurements: `failover` (broker failover time and accepted requests lost),
   * `capacity` (from a ramp: the rate sustained within SLA, per core, and the fleet for 10,000/s),
   * `goodput` (resizes/s completed in the `flood` phase against the `capacity` phase of the
   * same run: harness/scenario/goodput.ts).
   */
  probes?: Array<'failover' | 'capacity' | 'goodput'>;
  /**
   * Slow clients beside the load, for its whole length: `connections` sockets trickling
   * their headers or bodies a byte a second (harness/load/slow-clients.ts).
   */
  slowClients?: { connections: number };
}
