/**
 * HAProxy in front of the api servers, run from the repository's own configuration
 * (deploy/haproxy/haproxy.cfg, the file a deployment installs): what differs here is given
 * through the environment HAProxy expands (the port, the per-server connection cap, the
 * body limit) and the `server` lines appended to its last section, one per api server.
 * Health-checked on /readyz, so a server without a broker or identity snapshot is taken
 * out of rotation within a second; it sheds load itself (see the file's comments).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryProcess } from './binary.ts';
import { freePort } from './ports.ts';
import { repoRoot } from './process.ts';
import { tool } from './tools.ts';

/** The configuration as the repository ships it. */
export const haproxyConfigDir = join(repoRoot, 'deploy', 'haproxy');

export interface HaproxyLb {
  url: string;
  /** `host:port` of its built-in Prometheus exporter (`/metrics`). */
  metricsAddress: string;
  process: BinaryProcess;
  stop(): Promise<void>;
}

export interface HaproxySettings {
  /** Requests one api server is given at once before the rest queue (default 32). */
  serverMaxConn?: number;
  /** Declared bodies above this are refused with 413 by HAProxy (default: the api's 8 MiB). */
  maxBodyBytes?: number;
  /** Requests/s one API key may send through HAProxy before it answers 429 itself (default 1,000). */
  keyMaxRate?: number;
}

/** The environment HAProxy expands in haproxy.cfg: the api's port and the exporter's, and the limits. */
export function haproxyEnv(port: number, metricsPort: number, s: HaproxySettings = {}): Record<string, string> {
  return {
    NINES_LB_BIND: `127.0.0.1:${port}`,
    NINES_LB_METRICS_BIND: `127.0.0.1:${metricsPort}`,
    NINES_LB_SERVER_MAXCONN: String(s.serverMaxConn ?? 32),
    NINES_LB_MAX_BODY_BYTES: String(s.maxBodyBytes ?? 8 * 1024 * 1024),
    NINES_LB_KEY_MAX_RATE: String(s.keyMaxRate ?? 1000),
  };
}

/**
 * Writes the repository's haproxy.cfg with one `server` line per backend (host:port)
 * appended, and the error pages beside it, into `dir`; returns the file's path.
 */
export function renderHaproxyConfig(dir: string, backends: string[]): string {
  const servers = backends.map((b, i) => `    server api${i + 1} ${b} check`).join('\n');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, `${readFileSync(join(haproxyConfigDir, 'haproxy.cfg'), 'utf8').trimEnd()}\n${servers}\n`);
  cpSync(join(haproxyConfigDir, 'errors'), join(dir, 'errors'), { recursive: true });
  return file;
}

export async function startHaproxy(dir: string, backends: string[], settings: HaproxySettings = {}): Promise<HaproxyLb> {
  const port = await freePort();
  const metricsPort = await freePort();
  const file = renderHaproxyConfig(dir, backends);
  const url = `http://127.0.0.1:${port}`;
  const process = new BinaryProcess({
    name: 'haproxy',
    command: tool('haproxy'),
    args: ['-f', file, '-db'],
    env: { ...globalThis.process.env, ...haproxyEnv(port, metricsPort, settings) },
    logFile: join(dir, 'haproxy.log'),
    ready: async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(500) })).ok,
  });
  await process.start();
  return { url, metricsAddress: `127.0.0.1:${metricsPort}`, process, stop: () => process.stop() };
}
