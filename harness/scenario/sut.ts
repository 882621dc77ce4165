/**
 * The system under test, whichever topology a scenario asks for, behind one interface the
 * runner and the fault injector use: where to send load, how to find the process a fault
 * targets (the leader broker *now*), and which Toxiproxy proxies make up a path.
 */
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../stack/local-stack.ts';
import { startTopology, type Topology, type DispatchEvent } from '../stack/topology.ts';
import type { ManagedProcess } from '../stack/process.ts';
import type { BinaryProcess } from '../stack/binary.ts';
import type { ToxiproxyServer } from '../stack/toxiproxy.ts';
import type { PathTarget, ProcessTarget, TopologySpec } from './types.ts';

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
  adminUrl: string;
  adminToken: string;
  toxiproxy?: ToxiproxyServer;
  /** The process a fault aimed at `target` hits right now. */
  resolve(target: ProcessTarget): Promise<Controllable>;
  /** The proxies that carry `path` right now (e.g. api -> the current leader). */
  proxiesFor(path: PathTarget): Promise<string[]>;
  /** The leader broker's epoch now (0 when there is no election). */
  leaderEpoch(): Promise<number>;
  dispatchEvents(): DispatchEvent[];
  stop(): Promise<void>;
}

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
  if (!x) throw new Error(`the topology has no ${what}`);
  return x;
};

export async function startSystem(spec: TopologySpec, dir: string, logLevel = 'info'): Promise<SystemUnderTest> {
  if (spec.kind === 'local') {
    const s: LocalStack = await startLocalStack({ dir: join(dir, 'stack'), workers: spec.workers, workerConcurrency: spec.workerConcurrency, apiServers: spec.apis, env: spec.env, logLevel });
    return {
      kind: 'local',
      apiUrl: s.apiUrl,
      adminUrl: s.adminUrl,
      adminToken: s.adminToken,
      async resolve(target) {
        switch (target) {
          case 'leader-broker':
            return named(s.broker, 'broker');
          case 'worker':
            return named(first(s.workers, 'worker'), 'worker');
          case 'api':
            return named(first(s.apis, 'api'), 'api');
          case 'usage':
            return named(s.usage, 'usage');
          case 'identity':
            return named(s.identity, 'identity');
          default:
            throw new Error(`fault target ${target} needs the 'ha' topology (Consul, two brokers)`);
        }
      },
      async proxiesFor() {
        throw new Error("network faults need the 'ha' topology, where every path goes through Toxiproxy");
      },
      leaderEpoch: async () => 0,
      dispatchEvents: () => [],
      stop: () => s.stop(),
    };
  }
  const t: Topology = await startTopology({ dir: join(dir, 'stack'), brokers: spec.brokers, workers: spec.workers, workerConcurrency: spec.workerConcurrency, apis: spec.apis, env: spec.env, logLevel });
  const leader = () => t.waitForLeader(15_000);
  return {
    kind: 'ha',
    apiUrl: t.apiUrl,
    adminUrl: t.adminUrl,
    adminToken: t.adminToken,
    toxiproxy: t.toxiproxy,
    async resolve(target) {
      switch (target) {
        case 'leader-broker': {
          const l = await leader();
          return named(l.process, `broker ${l.id}`);
        }
        case 'standby-broker': {
          const l = await leader();
          return named(first(t.brokers.filter((b) => b !== l.process), 'standby broker'), 'standby broker');
        }
        case 'consul-leader': {
          const c = await t.consul.raftLeader();
          if (!c) throw new Error('Consul has no Raft leader to kill');
          return named(c.process, c.name);
        }
        case 'worker':
          return named(first(t.workers, 'worker'), 'worker');
        case 'api':
          return named(first(t.apis, 'api'), 'api');
        case 'usage':
          return named(t.usage, 'usage');
        case 'identity':
          return named(t.identity, 'identity');
      }
    },
    async proxiesFor(path) {
      const [from, to] = path.split('-') as [string, string];
      const id = from === 'leader' || to === 'leader' ? (await leader()).id : '';
      const src = from === 'leader' ? id : from;
      const names = Object.keys(t.proxies);
      const out =
        to === 'consul' || to === 'blobs' ? names.filter((n) => n.startsWith(`${src}-${to}-`)) : names.filter((n) => n === `${src}-${id}`);
      if (out.length === 0) throw new Error(`no proxy carries path ${path}`);
      return out;
    },
    leaderEpoch: async () => (await leader()).epoch ?? 0,
    dispatchEvents: () => t.dispatchEvents(),
    stop: () => t.stop(),
  };
}
