/**
 * A real Consul cluster on loopback: N servers (3 by default: a Raft quorum survives one
 * loss), each with its own data dir, node name and ports.
 *
 * Settings chosen for fast, safe failover (README "Leader election"):
 *  - `session_ttl_min = 1s` so brokers may use short session TTLs;
 *  - `performance.raft_multiplier = 1` (production-grade fast Raft timing);
 *  - DNS, WAN and gRPC are off: nothing here uses them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryProcess } from './binary.ts';
import { freePort } from './ports.ts';
import { tool } from './tools.ts';

export interface ConsulServer {
  name: string;
  httpUrl: string;
  httpPort: number;
  /** `127.0.0.1:<server port>`: how /v1/status/leader names the Raft leader. */
  raftAddr: string;
  process: BinaryProcess;
}

export interface ConsulCluster {
  servers: ConsulServer[];
  /** The server that is Raft leader now, if any (asked of the first live server). */
  raftLeader(): Promise<ConsulServer | undefined>;
  stop(): Promise<void>;
}

const getJson = async (url: string) => {
  const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return r.ok ? ((await r.json()) as unknown) : undefined;
};

export async function startConsulCluster(dir: string, size = 3): Promise<ConsulCluster> {
  const consul = tool('consul');
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({ http: await freePort(), serf: await freePort(), server: await freePort() })),
  );
  const servers: ConsulServer[] = ports.map((p, i) => {
    const name = `consul-${i + 1}`;
    const dataDir = join(dir, name);
    mkdirSync(dataDir, { recursive: true });
    const config = {
      node_name: name,
      datacenter: 'nines',
      data_dir: dataDir,
      server: true,
      bootstrap_expect: size,
      bind_addr: '127.0.0.1',
      client_addr: '127.0.0.1',
      advertise_addr: '127.0.0.1',
      ports: { http: p.http, dns: -1, serf_lan: p.serf, serf_wan: -1, server: p.server, grpc: -1, grpc_tls: -1 },
      retry_join: ports.filter((_, j) => j !== i).map((o) => `127.0.0.1:${o.serf}`),
      retry_interval: '1s',
      session_ttl_min: '1s',
      performance: { raft_multiplier: 1 },
      log_level: 'warn',
      disable_update_check: true,
      leave_on_terminate: false,
      skip_leave_on_interrupt: true,
      ui_config: { enabled: false },
      // /v1/agent/metrics?format=prometheus answers only when this is set (Prometheus scrapes it).
      telemetry: { prometheus_retention_time: '1m', disable_hostname: true },
    };
    const configFile = join(dataDir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const httpUrl = `http://127.0.0.1:${p.http}`;
    return {
      name,
      httpUrl,
      httpPort: p.http,
      raftAddr: `127.0.0.1:${p.server}`,
      process: new BinaryProcess({
        name,
        command: consul,
        args: ['agent', `-config-file=${configFile}`],
        logFile: join(dir, `${name}.log`),
        // Ready when this server sees a Raft leader (the cluster has formed) and the leader has
        // registered this node in the catalog: until then a session bound to its serfHealth
        // check is refused ("Missing node registration"), a race a broker's election retries
        // but a single session request loses.
        ready: async () => !!(await getJson(`${httpUrl}/v1/status/leader`)) && !!(await getJson(`${httpUrl}/v1/catalog/node/${name}`)),
        readyTimeoutMs: 60_000,
      }),
    };
  });
  // Servers wait for each other (bootstrap_expect), so start them together.
  try {
    await Promise.all(servers.map((s) => s.process.start()));
  } catch (err) {
    await Promise.all(servers.map((s) => s.process.kill()));
    throw err;
  }
  return {
    servers,
    async raftLeader() {
      for (const s of servers) {
        if (!s.process.running) continue;
        const addr = (await getJson(`${s.httpUrl}/v1/status/leader`).catch(() => undefined)) as string | undefined;
        if (addr) return servers.find((x) => x.raftAddr === addr);
      }
      return undefined;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.process.stop()));
    },
  };
}
