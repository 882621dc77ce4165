/**
 * The services around the queue in an `ha` topology: identity (started alongside the
 * brokers: it needs nothing from them), then usage, workers and api servers, which follow
 * every queue shard's leader through Consul and reach brokers only through their proxies,
 * and HAProxy in front of the api servers.
 */
import { join } from 'node:path';
import { workerConcurrencyEnv, type Launcher } from './launcher.ts';
import type { ManagedProcess } from './process.ts';
import { startHaproxy, type HaproxyLb } from './haproxy.ts';
import { waitFor } from './local-stack.ts';
import type { ClientRole, Infra } from './topology-infra.ts';
import type { TopologyPlan } from './topology-plan.ts';

export interface Clients {
  usage: ManagedProcess;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  apiUrls: string[];
  haproxy: HaproxyLb;
}

export interface ClientOptions {
  adminUrl: string;
  workers?: number;
  workerConcurrency?: number;
  env?: Partial<Record<ClientRole, Record<string, string>>>;
}

/** Starts identity with its own database and the launcher's tokens. */
export function launchIdentity(l: Launcher, env: Record<string, string> = {}): Promise<ManagedProcess> {
  return l.launch('identity', 'system/identity/main.ts', {
    NINES_IDENTITY_PORT: '0',
    NINES_IDENTITY_DB: join(l.data, 'identity.db'),
    NINES_ADMIN_TOKEN: l.secrets.adminToken,
    NINES_SERVICE_TOKEN: l.secrets.serviceToken,
    ...env,
  });
}

/**
 * Starts usage, then workers and api servers, then HAProxy once every api server is ready.
 * Does not wait for workers to reach the brokers: the caller judges readiness per shard.
 */
export async function startClients(l: Launcher, plan: TopologyPlan, infra: Infra, o: ClientOptions): Promise<Clients> {
  const env = clientEnv(l, plan, infra);
  const usage = await l.launch('usage', 'system/usage/main.ts', {
    ...env('usage'),
    NINES_INSTANCE_ID: 'u1',
    NINES_USAGE_PORT: '0',
    NINES_USAGE_DB: join(l.data, 'usage.db'),
    NINES_SERVICE_TOKEN: l.secrets.serviceToken,
    ...o.env?.usage,
  });
  const workers = await Promise.all(
    Array.from({ length: o.workers ?? 2 }, (_, i) =>
      l.launch(`worker-${i + 1}`, 'system/worker/main.ts', {
        ...env('worker'),
        NINES_INSTANCE_ID: `w${i + 1}`,
        ...workerConcurrencyEnv(o.workerConcurrency),
        ...o.env?.worker,
      }),
    ),
  );
  const apis = await launchApis(l, plan, infra, { ...env('api'), NINES_IDENTITY_URL: o.adminUrl, NINES_USAGE_URL: String(usage.info.url), ...o.env?.api });
  const apiUrls = apis.map((a) => String(a.info.url));
  await Promise.all(apiUrls.map((u) => waitFor(`${u}/readyz`, () => true, 30_000)));
  const haproxy = await startHaproxy(l.logs, apiUrls.map((u) => u.replace('http://', '')));
  return { usage, workers, apis, apiUrls, haproxy };
}

/** What every client role is told: its Consul agents, its routes to every broker, its secret, and how many shards to follow. */
function clientEnv(l: Launcher, plan: TopologyPlan, infra: Infra) {
  return (role: ClientRole): Record<string, string> => ({
    // Clients prefer the Consul server after the brokers' (as before shards: consul-3 with one pair).
    NINES_CONSUL_URL: infra.consulUrls(role, plan.brokers.length),
    NINES_BROKER_ROUTES: infra.routes(role),
    NINES_MQTT_SECRET: l.secrets.mqtt[role],
    NINES_QUEUE_SHARDS: String(plan.shards),
  });
}

function launchApis(l: Launcher, plan: TopologyPlan, infra: Infra, env: Record<string, string>): Promise<ManagedProcess[]> {
  return Promise.all(
    plan.apis.map((a, i) =>
      l.launch(`api-${i + 1}`, 'system/api/main.ts', {
        NINES_API_PORT: '0',
        NINES_API_BLOB_PORT: String(a.blobPort),
        NINES_API_BLOB_URL: `http://${infra.proxies[`worker-blobs-${a.id}`]}`,
        NINES_INSTANCE_ID: a.id,
        NINES_SERVICE_TOKEN: l.secrets.serviceToken,
        ...env,
      }),
    ),
  );
}
