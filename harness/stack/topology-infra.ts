/**
 * The infrastructure under an `ha` topology: the Consul cluster, Toxiproxy, and one proxy
 * per network path (named as in topology.ts), so a fault can cut exactly one path.
 */
import { join } from 'node:path';
import { startConsulCluster, type ConsulCluster } from './consul-cluster.ts';
import { startToxiproxy, type ToxiproxyServer } from './toxiproxy.ts';
import type { TopologyPlan } from './topology-plan.ts';

export type ClientRole = 'api' | 'worker' | 'usage';
const clientRoles: ClientRole[] = ['api', 'worker', 'usage'];

export interface Infra {
  consul: ConsulCluster;
  toxiproxy: ToxiproxyServer;
  /** Proxy name -> its `host:port`, e.g. 'b1-consul-1', 'api-b2'. */
  proxies: Record<string, string>;
  /** NINES_CONSUL_URL for `client` (a broker id or a role): every server through its proxies, server `first` (its "local agent") first. */
  consulUrls(client: string, first: number): string;
  /** NINES_BROKER_ROUTES for a role: every broker id to that role's proxy for it. */
  routes(role: ClientRole): string;
  stop(): Promise<void>;
}

/** Starts Consul and Toxiproxy and creates every path's proxy; on failure stops what it started. */
export async function startInfra(dir: string, logs: string, plan: TopologyPlan): Promise<Infra> {
  const [consul, toxiproxy] = await startBoth(() => startConsulCluster(join(dir, 'consul')), () => startToxiproxy(logs));
  const stop = async () => {
    await toxiproxy.stop();
    await consul.stop();
  };
  try {
    const proxies = await createProxies(consul, toxiproxy, plan);
    return {
      consul,
      toxiproxy,
      proxies,
      consulUrls: (client, first) =>
        consul.servers.map((_, k) => `http://${proxies[`${client}-consul-${((first + k) % consul.servers.length) + 1}`]}`).join(','),
      routes: (role) => plan.brokers.map((b) => `${b.id}=mqtt://${proxies[`${role}-${b.id}`]}`).join(','),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts two things at once; if either fails, stops the one that started and rethrows. */
async function startBoth<A extends { stop(): Promise<void> }, B extends { stop(): Promise<void> }>(a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a(), b()]);
  if (ra.status === 'fulfilled' && rb.status === 'fulfilled') return [ra.value, rb.value];
  if (ra.status === 'fulfilled') await ra.value.stop().catch(() => undefined);
  if (rb.status === 'fulfilled') await rb.value.stop().catch(() => undefined);
  throw ra.status === 'rejected' ? ra.reason : (rb as PromiseRejectedResult).reason;
}

async function createProxies(consul: ConsulCluster, toxiproxy: ToxiproxyServer, plan: TopologyPlan): Promise<Record<string, string>> {
  const proxies: Record<string, string> = {};
  const add = async (name: string, upstream: string) => {
    proxies[name] = (await toxiproxy.proxy(name, upstream)).listen;
  };
  const consulClients = [...plan.brokers.map((b) => b.id), ...clientRoles];
  await Promise.all([
    ...consulClients.flatMap((c) => consul.servers.map((srv, k) => add(`${c}-consul-${k + 1}`, `127.0.0.1:${srv.httpPort}`))),
    ...clientRoles.flatMap((r) => plan.brokers.map((b) => add(`${r}-${b.id}`, `127.0.0.1:${b.mqttPort}`))),
    // Workers fetch claim-checked images from each api server's blob port.
    ...plan.apis.map((a) => add(`worker-blobs-${a.id}`, `127.0.0.1:${a.blobPort}`)),
  ]);
  return proxies;
}
