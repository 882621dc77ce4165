/**
 * The full topology of real processes on loopback: a 3-server Consul cluster, Toxiproxy,
 * one or more queue shards each served by a pair of brokers electing the shard's leader
 * through Consul, identity, usage, workers, and api servers behind HAProxy. Every network
 * path between components goes through its own Toxiproxy proxy, so a fault can cut exactly one:
 *
 *   broker bN -> Consul server K   bN-consul-K     api    -> broker bN   api-bN
 *   api      -> Consul server K   api-consul-K    worker -> broker bN   worker-bN
 *   worker   -> Consul server K   worker-consul-K usage  -> broker bN   usage-bN
 *   usage    -> Consul server K   usage-consul-K
 *
 * Shards: brokers b1,b2 serve shard 0, b3,b4 shard 1, and so on (topology-plan.ts). Every
 * process knows every Consul server (its "local agent" first: broker bN prefers consul-N),
 * as it would through a local client agent in production, so losing one server costs a
 * retry. Clients find each shard's leader in Consul; NINES_BROKER_ROUTES maps each broker id
 * to the proxy for that client's path.
 *
 * The parts live in topology-plan.ts (layout and ports), topology-infra.ts (Consul,
 * Toxiproxy, proxies), topology-brokers.ts and topology-clients.ts; this file starts them in
 * order and answers questions about the running whole.
 */
import { join } from 'node:path';
import { ManagedProcess } from './process.ts';
import { launcher } from './launcher.ts';
import type { ConsulCluster } from './consul-cluster.ts';
import type { ToxiproxyServer } from './toxiproxy.ts';
import type { HaproxyLb } from './haproxy.ts';
import { pollUntil } from './poll.ts';
import { startPrometheus, type PrometheusServer, type ScrapeTarget } from './prometheus.ts';
import { hostOf, serviceTargets } from './scrape-targets.ts';
import { planTopology, TopologyOptionsError, type TopologyPlan } from './topology-plan.ts';
import { startInfra, type Infra } from './topology-infra.ts';
import { launchBrokers } from './topology-brokers.ts';
import { launchIdentity, startClients, type Clients } from './topology-clients.ts';
import { describeStates, everyShardReady, fetchBrokerStatus, leaderOf, type BrokerState } from './broker-status.ts';
import { readDispatches, readElectionLines, type DispatchEvent } from './broker-logs.ts';

export type { BrokerStatus, BrokerState } from './broker-status.ts';
export type { DispatchEvent } from './broker-logs.ts';

type Role = 'broker' | 'identity' | 'usage' | 'worker' | 'api';

export interface TopologyOptions {
  dir: string;
  /** Queue shards, each its own broker pair, lock key and epoch (default 1). */
  shards?: number;
  /** Brokers per shard (default 2: active and standby). */
  brokers?: number;
  apis?: number;
  workers?: number;
  workerConcurrency?: number;
  logLevel?: string;
  env?: Partial<Record<Role, Record<string, string>>>;
  /** Start Prometheus scraping every process and exporter, its data under `dir`/prometheus (scenarios). */
  prometheus?: boolean;
}

/** Which leader to wait for: that of `shard` (default 0), other than `not` (e.g. the one just deposed). */
export interface LeaderQuery {
  shard?: number;
  not?: ManagedProcess;
}

export interface Topology {
  apiUrl: string;
  apiUrls: string[];
  adminUrl: string;
  adminToken: string;
  serviceToken: string;
  usageUrl: string;
  consul: ConsulCluster;
  toxiproxy: ToxiproxyServer;
  /** Proxy name -> its `host:port`, e.g. 'b1-consul-1', 'api-b2'. */
  proxies: Record<string, string>;
  haproxy: HaproxyLb;
  /** Prometheus, when asked for. */
  prometheus?: PrometheusServer;
  /** How many queue shards there are. */
  shards: number;
  /** Every broker, in id order (b1, b2, …). */
  brokers: ManagedProcess[];
  /** The brokers that serve `shard`. */
  shardBrokers(shard: number): ManagedProcess[];
  identity: ManagedProcess;
  usage: ManagedProcess;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  /** Every broker's /status (unreachable ones omitted). */
  brokerStatus(): Promise<BrokerState[]>;
  /** Waits until exactly one broker leads the shard asked (default 0; optionally not `not`), and returns it. */
  waitForLeader(timeoutMs: number, q?: LeaderQuery): Promise<BrokerState>;
  /** Every dispatch the brokers logged, one event per job, from their log files; throws DispatchLogError on a line it cannot read. */
  dispatchEvents(): DispatchEvent[];
  /** The brokers' election log lines since `since` (epoch ms), oldest first: what a failed failover assertion should show. */
  electionLog(since: number): string[];
  stop(): Promise<void>;
}

/** Starts every process; resolves once each shard has one leader and every worker is connected to each leader. */
export async function startTopology(o: TopologyOptions): Promise<Topology> {
  const plan = await planTopology(o);
  const l = launcher(o.dir, o);
  const infra = await startInfra(o.dir, l.logs, plan);
  let clients: Clients | undefined;
  try {
    const [identity, brokers] = await Promise.all([launchIdentity(l, o.env?.identity), launchBrokers(l, plan, infra, o.env?.broker)]);
    const states = () => brokerStates(brokers);
    // Clients start once every shard has a leader, so none of them starts against an empty key.
    await waitForStates(states, (ss) => everyShardReady(ss, plan.shards, 0) || undefined, 30_000, 'one broker leader per queue shard');
    clients = await startClients(l, plan, infra, { adminUrl: String(identity.info.url), workers: o.workers, workerConcurrency: o.workerConcurrency, env: o.env });
    const nWorkers = clients.workers.length;
    await waitForStates(states, (ss) => everyShardReady(ss, plan.shards, nWorkers) || undefined, 20_000, "every worker ready at every shard's leader");
    const prometheus = o.prometheus ? await startPrometheus(join(o.dir, 'prometheus'), l.logs, scrapeTargets(infra, identity, brokers, clients)) : undefined;
    return topologyHandle({ plan, infra, identity, brokers, clients, prometheus, adminToken: l.secrets.adminToken, serviceToken: l.secrets.serviceToken });
  } catch (err) {
    await clients?.haproxy.stop().catch(() => undefined);
    await l.killAll();
    await infra.stop();
    throw err;
  }
}

interface Parts {
  plan: TopologyPlan;
  infra: Infra;
  identity: ManagedProcess;
  brokers: ManagedProcess[];
  clients: Clients;
  prometheus: PrometheusServer | undefined;
  adminToken: string;
  serviceToken: string;
}

function topologyHandle(p: Parts): Topology {
  const { plan, infra, brokers, clients } = p;
  const states = () => brokerStates(brokers);
  return {
    ...clients,
    apiUrl: clients.haproxy.url,
    adminUrl: String(p.identity.info.url),
    adminToken: p.adminToken,
    serviceToken: p.serviceToken,
    usageUrl: String(clients.usage.info.url),
    consul: infra.consul,
    toxiproxy: infra.toxiproxy,
    prometheus: p.prometheus,
    proxies: infra.proxies,
    shards: plan.shards,
    brokers,
    shardBrokers: (shard) => brokers.filter((_, i) => plan.brokers[i]!.shard === shard),
    identity: p.identity,
    brokerStatus: states,
    waitForLeader: (timeoutMs, q) => waitForLeader(states, plan.shards, timeoutMs, q),
    dispatchEvents: () => brokers.flatMap((b, i) => readDispatches(b.spec.logFile, plan.brokers[i]!.id)),
    electionLog: (since) =>
      brokers
        .flatMap((b, i) => readElectionLines(b.spec.logFile, plan.brokers[i]!.id))
        .filter((e) => e.t >= since)
        .sort((x, y) => x.t - y.t)
        .map((e) => e.line),
    stop: () => stopAll(p),
  };
}

/** Stops in reverse order of dependence: clients before the brokers they follow, Consul last. */
async function stopAll({ infra, clients, brokers, identity, prometheus }: Parts): Promise<void> {
  await prometheus?.stop(); // first: a stopping process is not a failed scrape
  await infra.toxiproxy.reset().catch(() => undefined); // heal, so processes can say goodbye
  await clients.haproxy.stop();
  await Promise.all(clients.apis.map((a) => a.stop()));
  await Promise.all(clients.workers.map((w) => w.stop()));
  await clients.usage.stop();
  await Promise.all([...brokers.map((b) => b.stop()), identity.stop()]);
  await infra.stop();
}

/** Every process and exporter of the topology, for Prometheus. */
function scrapeTargets(infra: Infra, identity: ManagedProcess, brokers: ManagedProcess[], c: Clients): ScrapeTarget[] {
  return [
    ...serviceTargets({ apis: c.apis, brokers, workers: c.workers, usage: c.usage, identity }),
    { job: 'haproxy', instance: 'haproxy', address: c.haproxy.metricsAddress },
    ...infra.consul.servers.map((s): ScrapeTarget => ({ job: 'consul', instance: s.name, address: hostOf(s.httpUrl) })),
    { job: 'toxiproxy', instance: 'toxiproxy', address: hostOf(infra.toxiproxy.url) },
  ];
}

async function brokerStates(brokers: ManagedProcess[]): Promise<BrokerState[]> {
  return (await Promise.all(brokers.map(fetchBrokerStatus))).filter((s): s is BrokerState => s !== undefined);
}

function waitForLeader(states: () => Promise<BrokerState[]>, shards: number, timeoutMs: number, q: LeaderQuery = {}): Promise<BrokerState> {
  const shard = q.shard ?? 0;
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards) {
    return Promise.reject(new TopologyOptionsError(`no queue shard ${shard}: this topology has shards 0-${shards - 1}`));
  }
  return waitForStates(states, (ss) => leaderOf(ss, shard, q.not), timeoutMs, `a single broker leader of shard ${shard}`);
}

/** Polls the brokers' statuses until `pick` yields a value; the timeout's error shows what the brokers last said. */
async function waitForStates<T>(states: () => Promise<BrokerState[]>, pick: (ss: BrokerState[]) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  let last: BrokerState[] = [];
  return pollUntil(async () => pick((last = await states())), { timeoutMs, everyMs: 20, what, last: () => describeStates(last) });
}
