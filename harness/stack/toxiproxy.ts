/**
 * A real Toxiproxy server and the proxies of a topology: one per network path, so a fault
 * can cut or slow exactly one path (api -> broker b1, broker b2 -> Consul, …).
 */
import { join } from 'node:path';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { BinaryProcess } from './binary.ts';
import { freePort } from './ports.ts';
import { tool } from './tools.ts';

export interface ToxiproxyServer {
  url: string;
  client: Toxiproxy;
  process: BinaryProcess;
  /** Creates a proxy listening on a free loopback port; returns its `host:port`. */
  proxy(name: string, upstream: string): Promise<{ proxy: Proxy; listen: string }>;
  /** Removes every toxic and re-enables every proxy: heals all network faults. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startToxiproxy(dir: string): Promise<ToxiproxyServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = new BinaryProcess({
    name: 'toxiproxy',
    command: tool('toxiproxy-server'),
    args: ['-host', '127.0.0.1', '-port', String(port), '-proxy-metrics'], // /metrics, for Prometheus
    logFile: join(dir, 'toxiproxy.log'),
    ready: async () => (await fetch(`${url}/version`, { signal: AbortSignal.timeout(500) })).ok,
  });
  await process.start();
  const client = new Toxiproxy(url);
  return {
    url,
    client,
    process,
    async proxy(name, upstream) {
      const listen = `127.0.0.1:${await freePort()}`;
      const proxy = await client.createProxy({ name, listen, upstream });
      return { proxy, listen };
    },
    reset: () => client.reset(),
    stop: () => process.stop(),
  };
}
