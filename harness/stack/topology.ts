/**
 * The full topology of real processes on loopback: a 3-server Consul cluster, Toxiproxy,
 * two brokers electing a leader through Consul, identity, usage, workers, and api servers
 * behind HAProxy. Every network path between components goes through its own Toxiproxy
 * proxy, so a fault can cut exactly one:
 *
 *   broker bN -> Consul server K   bN-consul-K     api    -> broker bN   api-bN
 *   api      -> Consul server K   api-consul-K    worker -> broker bN   worker-bN
 *   worker   -> Consul server K   worker-consul-K usage  -> broker bN   usage-bN
 *   usage    -> Consul server K   usage-consul-K
 *
 * Every process knows every Consul server (its "local agent" first: broker bN prefers
 * consul-N), as it would through a local client agent in production, so losing one server
 * costs a retry. Clients find the leader in Consul; NINES_BROKER_ROUTES maps each broker id
 * to the proxy for that client's path.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess } from './process.ts';
import { launcher } from './launcher.ts';
import { freePort } from './ports.ts';
import { startConsulCluster, type ConsulCluster } from './consul-cluster.ts';
import { startToxiproxy, type ToxiproxyServer } from './toxiproxy.ts';
import { startHaproxy, type HaproxyLb } from './haproxy.ts';
import { waitFor } from './local-stack.ts';
import { pollUntil } from './poll.ts';

type Role = 'broker' | 'identity' | 'usage' | 'worker' | 'api';

export interface TopologyOptions {
  dir: string;
  brokers?: number;
  apis?: number;
  workers?: number;
  workerConcurrency?: number;
  logLevel?: string;
  env?: Partial<Record<Role, Record<string, string>>>;
}

export interface BrokerStatus {
  id: string;
  leader: boolean;
  epoch: number | null;
  queued: number;
  inflight: number;
  workers: number;
}

export interface DispatchEvent {
  broker: string;
  epoch: number;
  t: number;
  jobId: string;
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
  brokers: ManagedProcess[];
  identity: ManagedProcess;
  usage: ManagedProcess;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  /** Every broker's /status (unreachable ones omitted). */
  brokerStatus(): Promise<Array<BrokerStatus & { process: ManagedProcess }>>;
  /** Waits until exactly one broker leads (optionally not `not`), and returns it. */
  waitForLeader(timeoutMs: number, not?: ManagedProcess): Promise<BrokerStatus & { process: ManagedProcess }>;
  /** Every dispatch the brokers logged, from their log files. */
  dispatchEvents(): DispatchEvent[];
  /** The brokers' election log lines since `since` (epoch ms), oldest first: what a failed failover assertion should show. */
  electionLog(since: number): string[];
  stop(): Promise<void>;
}

export async function startTopology(o: TopologyOptions): Promise<Topology> {
  const l = launcher(o.dir, o);
  const { launch, logs, data } = l;
  const { mqtt: secrets, adminToken, serviceToken } = l.secrets;
  const nBrokers = o.brokers ?? 2;

  const [consul, toxiproxy] = await Promise.all([startConsulCluster(join(o.dir, 'consul')), startToxiproxy(logs)]);
  const cleanupInfra = async () => {
    await l.killAll();
    await toxiproxy.stop();
    await consul.stop();
  };
  try {
    const brokerIds = Array.from({ length: nBrokers }, (_, i) => `b${i + 1}`);
    const mqttPorts = await Promise.all(brokerIds.map(() => freePort()));
    const apiIds = Array.from({ length: o.apis ?? 2 }, (_, i) => `a${i + 1}`);
    const blobPorts = await Promise.all(apiIds.map(() => freePort()));
    const proxies: Record<string, string> = {};
    const addProxy = async (name: string, upstream: string) => {
      proxies[name] = (await toxiproxy.proxy(name, upstream)).listen;
    };
    const consulClients = [...brokerIds, 'api', 'worker', 'usage'];
    await Promise.all([
      ...consulClients.flatMap((c) => consul.servers.map((srv, k) => addProxy(`${c}-consul-${k + 1}`, `127.0.0.1:${srv.httpPort}`))),
      ...['api', 'worker', 'usage'].flatMap((r) => brokerIds.map((id, i) => addProxy(`${r}-${id}`, `127.0.0.1:${mqttPorts[i]}`))),
      // Workers fetch claim-checked images from each api server's blob port.
      ...apiIds.map((id, i) => addProxy(`worker-blobs-${id}`, `127.0.0.1:${blobPorts[i]}`)),
    ]);
    /** Consul URLs for a client, starting at server `first` (its "local agent"). */
    const consulUrls = (client: string, first: number) =>
      consul.servers.map((_, k) => `http://${proxies[`${client}-consul-${((first + k) % consul.servers.length) + 1}`]}`).join(',');
    const clientEnv = (role: 'api' | 'worker' | 'usage') => ({
      NINES_CONSUL_URL: consulUrls(role, nBrokers),
      NINES_BROKER_ROUTES: brokerIds.map((id) => `${id}=mqtt://${proxies[`${role}-${id}`]}`).join(','),
      NINES_MQTT_SECRET: secrets[role],
    });

    const [identity, ...brokers] = await Promise.all([
      launch('identity', 'system/identity/main.ts', {
        NINES_IDENTITY_PORT: '0',
        NINES_IDENTITY_DB: join(data, 'identity.db'),
        NINES_ADMIN_TOKEN: adminToken,
        NINES_SERVICE_TOKEN: serviceToken,
        ...o.env?.identity,
      }),
      ...brokerIds.map((id, i) =>
        launch(`broker-${id}`, 'system/broker/main.ts', {
          NINES_BROKER_ID: id,
          NINES_BROKER_PORT: String(mqttPorts[i]),
          NINES_BROKER_ADVERTISE: `mqtt://127.0.0.1:${mqttPorts[i]}`,
          NINES_CONSUL_URL: consulUrls(id, i),
          NINES_MQTT_SECRET_API: secrets.api,
          NINES_MQTT_SECRET_WORKER: secrets.worker,
          NINES_MQTT_SECRET_USAGE: secrets.usage,
          ...o.env?.broker,
        }),
      ),
    ]);
    const adminUrl = String(identity!.info.url);

    const brokerStatus = async () => {
      const all = await Promise.all(
        brokers.map(async (p) => {
          if (!p.running) return undefined;
          try {
            const r = await fetch(`http://127.0.0.1:${p.info.httpPort}/status`, { signal: AbortSignal.timeout(500) });
            return { ...((await r.json()) as BrokerStatus), process: p };
          } catch {
            return undefined;
          }
        }),
      );
      return all.filter((s): s is BrokerStatus & { process: ManagedProcess } => !!s);
    };
    const waitForLeader = (timeoutMs: number, not?: ManagedProcess) =>
      pollUntil(
        async () => {
          const leaders = (await brokerStatus()).filter((s) => s.leader && s.process !== not);
          return leaders.length === 1 ? leaders[0] : undefined;
        },
        { timeoutMs, everyMs: 20, what: 'a single broker leader' },
      );
    await waitForLeader(30_000);

    const [usage] = await Promise.all([
      launch('usage', 'system/usage/main.ts', {
        ...clientEnv('usage'),
        NINES_INSTANCE_ID: 'u1',
        NINES_USAGE_PORT: '0',
        NINES_USAGE_DB: join(data, 'usage.db'),
        NINES_SERVICE_TOKEN: serviceToken,
        ...o.env?.usage,
      }),
    ]);
    const usageUrl = String(usage!.info.url);
    const workers = await Promise.all(
      Array.from({ length: o.workers ?? 2 }, (_, i) =>
        launch(`worker-${i + 1}`, 'system/worker/main.ts', {
          ...clientEnv('worker'),
          NINES_INSTANCE_ID: `w${i + 1}`,
          ...(o.workerConcurrency ? { NINES_WORKER_CONCURRENCY: String(o.workerConcurrency) } : {}),
          ...o.env?.worker,
        }),
      ),
    );
    const apis = await Promise.all(
      apiIds.map((id, i) =>
        launch(`api-${i + 1}`, 'system/api/main.ts', {
          ...clientEnv('api'),
          NINES_API_PORT: '0',
          NINES_API_BLOB_PORT: String(blobPorts[i]),
          NINES_API_BLOB_URL: `http://${proxies[`worker-blobs-${id}`]}`,
          NINES_INSTANCE_ID: id,
          NINES_IDENTITY_URL: adminUrl,
          NINES_USAGE_URL: usageUrl,
          NINES_SERVICE_TOKEN: serviceToken,
          ...o.env?.api,
        }),
      ),
    );
    const apiUrls = apis.map((a) => String(a.info.url));
    await Promise.all(apiUrls.map((u) => waitFor(`${u}/readyz`, () => true, 30_000)));
    const haproxy = await startHaproxy(logs, apiUrls.map((u) => u.replace('http://', '')));
    await pollUntil(async () => (await brokerStatus()).find((s) => s.leader && s.workers >= workers.length), {
      timeoutMs: 20_000,
      what: 'every worker ready at the leader broker',
    });

    return {
      apiUrl: haproxy.url,
      apiUrls,
      adminUrl,
      adminToken,
      serviceToken,
      usageUrl,
      consul,
      toxiproxy,
      proxies,
      haproxy,
      brokers,
      identity: identity!,
      usage: usage!,
      workers,
      apis,
      brokerStatus,
      waitForLeader,
      dispatchEvents() {
        return brokers.flatMap((b, i) => readDispatches(b.spec.logFile, brokerIds[i]!));
      },
      electionLog(since) {
        return brokers
          .flatMap((b, i) => readElectionLines(b.spec.logFile, brokerIds[i]!))
          .filter((e) => e.t >= since)
          .sort((x, y) => x.t - y.t)
          .map((e) => e.line);
      },
      async stop() {
        await toxiproxy.reset().catch(() => undefined); // heal, so processes can say goodbye
        await haproxy.stop();
        await Promise.all(apis.map((a) => a.stop()));
        await Promise.all(workers.map((w) => w.stop()));
        await usage!.stop();
        await Promise.all([...brokers.map((b) => b.stop()), identity!.stop()]);
        await toxiproxy.stop();
        await consul.stop();
      },
    };
  } catch (err) {
    await cleanupInfra();
    throw err;
  }
}

/** The JSON lines of a log file that contain `marker`, parsed; a torn last line (a killed process) is skipped. */
function* jsonLines(logFile: string, marker: string): Generator<Record<string, unknown>> {
  if (!existsSync(logFile)) return;
  for (const text of readFileSync(logFile, 'utf8').split('\n')) {
    if (!text.includes(marker)) continue;
    try {
      yield JSON.parse(text) as Record<string, unknown>;
    } catch {
      // a torn last line of a killed process: skip it
    }
  }
}

/** Parses a broker's JSON log for its dispatch events. */
export function readDispatches(logFile: string, broker: string): DispatchEvent[] {
  const out: DispatchEvent[] = [];
  for (const e of jsonLines(logFile, '"dispatch"')) {
    if (e.event === 'dispatch' && typeof e.epoch === 'number' && typeof e.t === 'number') out.push({ broker, epoch: e.epoch, t: e.t, jobId: String(e.jobId) });
  }
  return out;
}

/** A broker's election log lines (module 'election'), each as `<time> <broker> <msg> {fields}`. */
function readElectionLines(logFile: string, broker: string): Array<{ t: number; line: string }> {
  const out: Array<{ t: number; line: string }> = [];
  for (const e of jsonLines(logFile, '"election"')) {
    if (e.module !== 'election') continue;
    const fields = Object.fromEntries(Object.entries(e).filter(([k]) => !['time', 'msg', 'module', 'level', 'service', 'pid'].includes(k)));
    out.push({ t: Date.parse(String(e.time)), line: `${String(e.time)} ${broker} ${String(e.msg)} ${JSON.stringify(fields)}` });
  }
  return out;
}
