/**
 * The embedded default topology: one broker, identity, usage, N workers and M api servers,
 * each a real process on loopback, no Consul needed. Used by `nines start`, the end-to-end
 * tests and the benchmark. Secrets are generated per stack; ports are chosen by the OS
 * unless given.
 */
import { join } from 'node:path';
import type { ManagedProcess } from './process.ts';
import { launcher, workerConcurrencyEnv, type Launcher } from './launcher.ts';
import { pollUntil } from './poll.ts';
import { startPrometheus, type PrometheusOptions, type PrometheusServer } from './prometheus.ts';
import { serviceTargets } from './scrape-targets.ts';

export interface LocalStackOptions {
  /** Where SQLite files and logs go. */
  dir: string;
  workers?: number;
  workerConcurrency?: number;
  apiServers?: number;
  /** Port of the first api server (0: any free port). */
  apiPort?: number;
  identityPort?: number;
  logLevel?: string;
  /** Extra node flags for every process (profiling). */
  nodeArgs?: string[];
  /** Extra environment per role, e.g. { api: { NINES_API_DEADLINE_MS: '2000' } }. */
  env?: Partial<Record<'broker' | 'identity' | 'usage' | 'worker' | 'api', Record<string, string>>>;
  /**
   * Start Prometheus scraping every process, its data under `dir`/prometheus (nines start,
   * scenarios); `true` runs dashboards/prometheus/prometheus.yml as it is (a 1 s interval).
   */
  prometheus?: boolean | PrometheusOptions;
}

export interface LocalStack {
  apiUrl: string;
  apiUrls: string[];
  adminUrl: string;
  adminToken: string;
  brokerUrl: string;
  brokerHttpUrl: string;
  usageUrl: string;
  serviceToken: string;
  secrets: { api: string; worker: string; usage: string };
  broker: ManagedProcess;
  identity: ManagedProcess;
  usage: ManagedProcess;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  /** Prometheus, when asked for. */
  prometheus?: PrometheusServer;
  /** Starts one more worker (e.g. to replace a killed one). */
  addWorker(): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/** The broker and identity: what every other process connects to. */
async function startCore(l: Launcher, o: LocalStackOptions): Promise<{ broker: ManagedProcess; identity: ManagedProcess }> {
  const { mqtt: secrets, adminToken, serviceToken } = l.secrets;
  const [broker, identity] = await Promise.all([
    l.launch('broker', 'system/broker/main.ts', {
      NINES_BROKER_PORT: '0',
      NINES_MQTT_SECRET_API: secrets.api,
      NINES_MQTT_SECRET_WORKER: secrets.worker,
      NINES_MQTT_SECRET_USAGE: secrets.usage,
      ...o.env?.broker,
    }),
    l.launch('identity', 'system/identity/main.ts', {
      NINES_IDENTITY_PORT: String(o.identityPort ?? 0),
      NINES_IDENTITY_DB: join(l.data, 'identity.db'),
      NINES_ADMIN_TOKEN: adminToken,
      NINES_SERVICE_TOKEN: serviceToken,
      ...o.env?.identity,
    }),
  ]);
  return { broker, identity };
}

/** Starts worker after worker against `brokerUrl`, each pushed onto `workers`, calling `added` after each. */
function workerStarter(l: Launcher, o: LocalStackOptions, brokerUrl: string, workers: ManagedProcess[], added: () => void): () => Promise<ManagedProcess> {
  let seq = 0;
  return async () => {
    const n = ++seq;
    const w = await l.launch(`worker-${n}`, 'system/worker/main.ts', {
      NINES_BROKER_URL: brokerUrl,
      NINES_MQTT_SECRET: l.secrets.mqtt.worker,
      NINES_INSTANCE_ID: `w${n}`,
      ...workerConcurrencyEnv(o.workerConcurrency),
      ...o.env?.worker,
    });
    workers.push(w);
    added();
    return w;
  };
}

function startUsage(l: Launcher, o: LocalStackOptions, brokerUrl: string): Promise<ManagedProcess> {
  return l.launch('usage', 'system/usage/main.ts', {
    NINES_BROKER_URL: brokerUrl,
    NINES_MQTT_SECRET: l.secrets.mqtt.usage,
    NINES_INSTANCE_ID: 'u1',
    NINES_USAGE_PORT: '0',
    NINES_USAGE_DB: join(l.data, 'usage.db'),
    NINES_SERVICE_TOKEN: l.secrets.serviceToken,
    ...o.env?.usage,
  });
}

function startApis(l: Launcher, o: LocalStackOptions, urls: { brokerUrl: string; adminUrl: string; usageUrl: string }): Promise<ManagedProcess[]> {
  return Promise.all(
    Array.from({ length: o.apiServers ?? 1 }, (_, i) =>
      l.launch(`api-${i + 1}`, 'system/api/main.ts', {
        NINES_API_PORT: String(i === 0 ? (o.apiPort ?? 0) : 0),
        NINES_API_BLOB_PORT: '0',
        NINES_BROKER_URL: urls.brokerUrl,
        NINES_MQTT_SECRET: l.secrets.mqtt.api,
        NINES_INSTANCE_ID: `a${i + 1}`,
        NINES_IDENTITY_URL: urls.adminUrl,
        NINES_USAGE_URL: urls.usageUrl,
        NINES_SERVICE_TOKEN: l.secrets.serviceToken,
        ...o.env?.api,
      }),
    ),
  );
}

/** Ready means a request would be served: every api has its broker and identity snapshot, and every worker has announced its credit to the broker. */
async function waitReady(apiUrls: string[], brokerHttpUrl: string, workers: number): Promise<void> {
  await Promise.all(apiUrls.map((u) => waitFor(`${u}/readyz`, () => true, 20_000)));
  await waitFor(`${brokerHttpUrl}/status`, (s) => (s as { workers: number }).workers >= workers, 20_000);
}

export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  const l = launcher(o.dir, o);
  try {
    const { broker, identity } = await startCore(l, o);
    const brokerUrl = `mqtt://127.0.0.1:${broker.info.mqttPort}`;
    const adminUrl = String(identity.info.url);
    const workers: ManagedProcess[] = [];
    let prometheus: PrometheusServer | undefined;
    // Called only once Prometheus runs, by when every process below exists.
    const targets = () => serviceTargets({ apis, brokers: [broker], workers, usage, identity });
    const addWorker = workerStarter(l, o, brokerUrl, workers, () => prometheus?.setTargets(targets()));
    const [usage] = await Promise.all([startUsage(l, o, brokerUrl), ...Array.from({ length: o.workers ?? 1 }, () => addWorker())]);
    const usageUrl = String(usage.info.url);
    const apis = await startApis(l, o, { brokerUrl, adminUrl, usageUrl });
    const apiUrls = apis.map((a) => String(a.info.url));
    const brokerHttpUrl = `http://127.0.0.1:${broker.info.httpPort}`;
    await waitReady(apiUrls, brokerHttpUrl, workers.length);
    if (o.prometheus) prometheus = await startPrometheus(join(o.dir, 'prometheus'), l.logs, targets(), o.prometheus === true ? {} : o.prometheus);
    const { adminToken, serviceToken, mqtt: secrets } = l.secrets;
    return {
      apiUrl: apiUrls[0]!, apiUrls, adminUrl, adminToken, brokerUrl, brokerHttpUrl, usageUrl, serviceToken, secrets,
      broker, identity, usage, workers, apis, prometheus, addWorker,
      // Front to back: api servers first so they can drain usage to a live usage service.
      async stop() {
        await prometheus?.stop(); // first: a stopping process is not a failed scrape
        await Promise.all(apis.map((a) => a.stop()));
        await Promise.all(workers.map((w) => w.stop()));
        await usage.stop();
        await Promise.all([broker.stop(), identity.stop()]);
      },
    };
  } catch (err) {
    await l.killAll();
    throw err;
  }
}

/** Polls a JSON endpoint until it answers 2xx and `ok(body)` holds; throws after `timeoutMs`. */
export async function waitFor(url: string, ok: (body: unknown) => boolean, timeoutMs: number): Promise<unknown> {
  let last = '';
  return pollUntil(
    async () => {
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
        const body: unknown = await r.json().catch(() => undefined);
        if (r.ok && ok(body)) return { body };
        last = `${r.status} ${JSON.stringify(body)}`;
      } catch (err) {
        last = String(err);
      }
      return undefined;
    },
    { timeoutMs, what: `${url} ready`, last: () => last },
  ).then((r) => r.body);
}
