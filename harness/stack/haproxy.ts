/**
 * HAProxy in front of the api servers: round robin, health-checked on /readyz so a server
 * without a broker or identity snapshot is taken out of rotation within a second.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryProcess } from './binary.ts';
import { freePort } from './ports.ts';
import { tool } from './tools.ts';

export interface HaproxyLb {
  url: string;
  /** `host:port` of its built-in Prometheus exporter (`/metrics`). */
  metricsAddress: string;
  process: BinaryProcess;
  stop(): Promise<void>;
}

export async function startHaproxy(dir: string, backends: string[]): Promise<HaproxyLb> {
  const port = await freePort();
  const statsPort = await freePort();
  const cfg = [
    'global',
    "  maxconn 8000", // needs ~2 fds per connection; stays under a 20k fd ulimit
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  option http-keep-alive',
    // Retry a request that could not reach a server (not one that did): safe for POSTs.
    '  retries 2',
    '  option redispatch',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  default_backend apis',
    'frontend stats',
    `  bind 127.0.0.1:${statsPort}`,
    '  http-request use-service prometheus-exporter if { path /metrics }',
    'backend apis',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  default-server inter 500ms fall 2 rise 1',
    ...backends.map((b, i) => `  server api${i + 1} ${b} check`),
    '',
  ].join('\n');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, cfg);
  const url = `http://127.0.0.1:${port}`;
  const process = new BinaryProcess({
    name: 'haproxy',
    command: tool('haproxy'),
    args: ['-f', file, '-db'],
    logFile: join(dir, 'haproxy.log'),
    ready: async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(500) })).ok,
  });
  await process.start();
  return { url, metricsAddress: `127.0.0.1:${statsPort}`, process, stop: () => process.stop() };
}
