/**
 * Starts the system under test for a topology and wraps it in the one interface the runner
 * and the fault injector use (harness/model/system-under-test.ts). The rules for turning an
 * aim into a target are in targets.ts.
 */
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../stack/local-stack.ts';
import { startTopology, type Topology } from '../stack/topology.ts';
import { startHaproxy } from '../stack/haproxy.ts';
import { pinApart, unpin } from '../stack/pin.ts';
import { sampleRss } from '../stack/rss.ts';
import type { ManagedProcess } from '../stack/process.ts';
import type { BinaryProcess } from '../stack/binary.ts';
import type { HaTopologySpec, TopologySpec } from '../model/scenario.ts';
import type { Controllable, SystemUnderTest } from '../model/system-under-test.ts';
import { aimedShard, FaultTargetError, isLeaderPath, pathProxies } from './targets.ts';

const named = (p: ManagedProcess | BinaryProcess, name: string): Controllable => ({
  name,
  get running() {
    return p.running;
  },
  kill: () => p.kill(),
  stop: () => p.stop(),
  pause: () => p.pause(),
  resume: () => p.resume(),
  start: () => p.start(),
});

const first = <T>(xs: T[], what: string): T => {
  const x = xs.find((p) => (p as { running?: boolean }).running !== false) ?? xs[0];
  if (!x) throw new FaultTargetError(`the topology has no ${what}`);
  return x;
};

/** The service processes every topology has, aimed at the same way in both. */
function serviceTarget(s: { workers: ManagedProcess[]; apis: ManagedProcess[]; usage: ManagedProcess; identity: ManagedProcess }, target: 'worker' | 'api' | 'usage' | 'identity'): Controllable {
  if (target === 'worker') return named(first(s.workers, 'worker'), 'worker');
  if (target === 'api') return named(first(s.apis, 'api'), 'api');
  return named(s[target], target);
}

const pidsOf = (ps: Array<{ pid: number | undefined }>): number[] => ps.map((p) => p.pid).filter((p): p is number => p !== undefined);

/** Starts the topology `spec` describes under `dir`/stack. */
export async function startSystem(spec: TopologySpec, dir: string, logLevel = 'info'): Promise<SystemUnderTest> {
  return spec.kind === 'local' ? localSystem(spec, dir, logLevel) : haSystem(spec, dir, logLevel);
}

async function localSystem(spec: Extract<TopologySpec, { kind: 'local' }>, dir: string, logLevel: string): Promise<SystemUnderTest> {
  const s: LocalStack = await startLocalStack({ dir: join(dir, 'stack'), workers: spec.workers, workerConcurrency: spec.workerConcurrency, apiServers: spec.apis, env: spec.env, logLevel, prometheus: true });
  const lb = spec.lb ? await startHaproxy(join(dir, 'stack'), s.apiUrls.map((u) => u.replace('http://', '')), spec.lb).catch(async (err) => {
    await s.stop();
    throw err;
  }) : undefined;
  // Prometheus is pinned with the stack: it is part of what runs on the servers, not of the
  // load. It and the workers are the background work that yields to the front door (pin.ts).
  const front = [...s.apis, s.broker, s.usage, s.identity, ...(lb ? [lb.process] : [])];
  const background = [...s.workers, ...(s.prometheus ? [s.prometheus.process] : [])];
  const procs = [...front, ...background];
  const pinned = spec.pin ? pinApart(pidsOf(front), pidsOf(background)) : undefined;
  const rss = sampleRss(pidsOf(s.apis));
  return {
    kind: 'local',
    ...(pinned ? { pinned } : {}),
    apiUrl: lb?.url ?? s.apiUrl,
    prometheusUrl: s.prometheus?.url,
    adminUrl: s.adminUrl,
    adminToken: s.adminToken,
    shards: 1,
    async resolve(aim) {
      switch (aim.target) {
        case 'leader-broker':
          aimedShard(aim, 1);
          return named(s.broker, 'broker');
        case 'worker':
        case 'api':
        case 'usage':
        case 'identity':
          return serviceTarget(s, aim.target);
        default:
          throw new FaultTargetError(`fault target ${aim.target} needs the 'ha' topology (Consul, two brokers)`);
      }
    },
    async proxiesFor() {
      throw new FaultTargetError("network faults need the 'ha' topology, where every path goes through Toxiproxy");
    },
    leaderEpoch: async () => 0,
    dispatchEvents: () => [],
    down: () => procs.filter((p) => !p.running).map((p) => p.spec.name),
    apiRssPeakMb: () => rss.peakMb(),
    stop: async () => {
      rss.stop();
      if (pinned) unpin();
      await lb?.stop();
      await s.stop();
    },
  };
}

async function haSystem(spec: HaTopologySpec, dir: string, logLevel: string): Promise<SystemUnderTest> {
  const t: Topology = await startTopology({ dir: join(dir, 'stack'), shards: spec.shards, brokers: spec.brokers, workers: spec.workers, workerConcurrency: spec.workerConcurrency, apis: spec.apis, env: spec.env, logLevel, prometheus: true });
  const leader = (aim: { shard?: number }) => t.waitForLeader(15_000, { shard: aimedShard(aim, t.shards) });
  return {
    kind: 'ha',
    apiUrl: t.apiUrl,
    prometheusUrl: t.prometheus?.url,
    adminUrl: t.adminUrl,
    adminToken: t.adminToken,
    shards: t.shards,
    toxiproxy: t.toxiproxy,
    async resolve(aim) {
      switch (aim.target) {
        case 'leader-broker': {
          const l = await leader(aim);
          return named(l.process, `broker ${l.id} (leader of shard ${l.shard})`);
        }
        case 'standby-broker': {
          const l = await leader(aim);
          const standby = first(t.shardBrokers(l.shard).filter((b) => b !== l.process), `standby broker in shard ${l.shard}`);
          return named(standby, `${standby.spec.name} (standby in shard ${l.shard})`);
        }
        case 'consul-leader': {
          const c = await t.consul.raftLeader();
          if (!c) throw new FaultTargetError('Consul has no Raft leader to kill');
          return named(c.process, c.name);
        }
        case 'worker':
        case 'api':
        case 'usage':
        case 'identity':
          return serviceTarget(t, aim.target);
      }
    },
    async proxiesFor(aim) {
      const leaderId = isLeaderPath(aim.path) ? (await leader(aim)).id : undefined;
      return pathProxies(aim.path, Object.keys(t.proxies), leaderId);
    },
    leaderEpoch: async (shard = 0) => (await leader({ shard })).epoch ?? 0,
    dispatchEvents: () => t.dispatchEvents(),
    stop: () => t.stop(),
  };
}
