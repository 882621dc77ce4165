/**
 * The embedded default topology: one broker, identity, usage, N workers and M api servers,
 * each a real process on loopback, no Consul needed. Used by `nines start`, the end-to-end
 * tests and the benchmark. Secrets are generated per stack; ports are chosen by the OS
 * unless given.
 */
import { join } from 'node:path';
import type { ManagedProcess } from './process.ts';
import { launcher } from './launcher.ts';
import { pollUntil } from './poll.ts';
import { startPrometheus, type PrometheusServer } from './prometheus.ts';
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
  /** Start Prometheus scraping every process, its data under `dir`/prometheus (nines start, scenarios). */
  prometheus?: boolean;
  /** Its port (0: any free port). */
  prometheusPort?: number;
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

export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  const l = launcher(o.dir, o);
  const { launch, data } = l;
  const { mqtt: secrets, adminToken, serviceToken } = l.secrets;

  try {
    const [broker, identity] = await Promise.all([
      launch('broker', 'system/broker/main.ts', {
        NINES_BROKER_PORT: '0',
        NINES_MQTT_SECRET_API: secrets.api,
        NINES_MQTT_SECRET_WORKER: secrets.worker,
        NINES_MQTT_SECRET_USAGE: secrets.usage,
        ...o.env?.broker,
      }),
      launch('identity', 'system/identity/main.ts', {
        NINES_IDENTITY_PORT: String(o.identityPort ?? 0),
        NINES_IDENTITY_DB: join(data, 'identity.db'),
        NINES_ADMIN_TOKEN: adminToken,
        NINES_SERVICE_TOKEN: serviceToken,
        ...o.env?.identity,
      }),
    ]);
    const brokerUrl = `mqtt://127.0.0.1:${broker.info.mqttPort}`;
    const adminUrl = String(identity.info.url);

    let workerSeq = 0;
    const workers: ManagedProcess[] = [];
    let prometheus: PrometheusServer | undefined;
    // Called only once Prometheus runs, by when every process below exists.
    const targets = () => serviceTargets({ apis, brokers: [broker], workers, usage, identity });
    const addWorker = async () => {
      const id = `w${++workerSeq}`;
      const w = await launch(`worker-${workerSeq}`, 'system/worker/main.ts', {
        NINES_BROKER_URL: brokerUrl,
        NINES_MQTT_SECRET: secrets.worker,
        NINES_INSTANCE_ID: id,
        ...(o.workerConcurrency ? { NINES_WORKER_CONCURRENCY: String(o.workerConcurrency) } : {}),
        ...o.env?.worker,
      });
      workers.push(w);
      prometheus?.setTargets(targets());
      return w;
    };

    const [usage] = await Promise.all([
      launch('usage', 'system/usage/main.ts', {
        NINES_BROKER_URL: brokerUrl,
        NINES_MQTT_SECRET: secrets.usage,
        NINES_INSTANCE_ID: 'u1',
        NINES_USAGE_PORT: '0',
        NINES_USAGE_DB: join(data, 'usage.db'),
        NINES_SERVICE_TOKEN: serviceToken,
        ...o.env?.usage,
      }),
      ...Array.from({ length: o.workers ?? 1 }, () => addWorker()),
    ]);
    const usageUrl = String(usage.info.url);

    const apis = await Promise.all(
      Array.from({ length: o.apiServers ?? 1 }, (_, i) =>
        launch(`api-${i + 1}`, 'system/api/main.ts', {
          NINES_API_PORT: String(i === 0 ? (o.apiPort ?? 0) : 0),
          NINES_API_BLOB_PORT: '0',
          NINES_BROKER_URL: brokerUrl,
          NINES_MQTT_SECRET: secrets.api,
          NINES_INSTANCE_ID: `a${i + 1}`,
          NINES_IDENTITY_URL: adminUrl,
          NINES_USAGE_URL: usageUrl,
          NINES_SERVICE_TOKEN: serviceToken,
          ...o.env?.api,
        }),
      ),
    );
    const apiUrls = apis.map((a) => String(a.info.url));
    const brokerHttpUrl = `http://127.0.0.1:${broker.info.httpPort}`;
    // Ready means a request would be served: every api has its broker and identity
    // snapshot, and every worker has announced its credit to the broker.
    await Promise.all(apiUrls.map((u) => waitFor(`${u}/readyz`, () => true, 20_000)));
    await waitFor(`${brokerHttpUrl}/status`, (s) => (s as { workers: number }).workers >= workers.length, 20_000);
    if (o.prometheus) prometheus = await startPrometheus(join(o.dir, 'prometheus'), l.logs, targets(), o.prometheusPort);
    return {
      apiUrl: apiUrls[0]!,
      apiUrls,
      adminUrl,
      adminToken,
      brokerUrl,
      brokerHttpUrl,
      usageUrl,
      serviceToken,
      secrets,
      broker,
      identity,
      usage,
      workers,
      apis,
      prometheus,
      addWorker,
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
