/**
 * A network partition of one path: its Toxiproxy proxy disabled, which closes the path's
 * open connections and refuses new ones. Not a toxic: Toxiproxy models it as the proxy off.
 */
import type { Toxiproxy } from 'toxiproxy-node-client';

/** Cuts the path; resolves when Toxiproxy has applied it. */
export async function partition(client: Toxiproxy, proxyName: string): Promise<void> {
  const p = await client.get(proxyName);
  await p.update({ enabled: false, listen: p.listen, upstream: p.upstream });
}

/** Restores the path. (Toxiproxy `POST /reset` heals every path at once.) */
export async function heal(client: Toxiproxy, proxyName: string): Promise<void> {
  const p = await client.get(proxyName);
  await p.update({ enabled: true, listen: p.listen, upstream: p.upstream });
}

/** Cuts every path whose proxy name starts with `prefix` (e.g. 'b1-consul-': b1 from all of Consul). */
export async function partitionAll(client: Toxiproxy, prefix: string): Promise<string[]> {
  const names = Object.keys(await client.getAll()).filter((n) => n.startsWith(prefix));
  await Promise.all(names.map((n) => partition(client, n)));
  return names;
}
