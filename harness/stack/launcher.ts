/**
 * What every topology does the same way: a directory for logs and data, fresh secrets,
 * and a launcher that starts service processes and remembers them, so a failed start can
 * kill whatever had already come up.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, logPath } from './process.ts';
import { defaultWorkerConcurrency } from '../../system/lib/config.ts';
import { threadpoolSizeFor } from '../../system/worker/threadpool.ts';

export interface Secrets {
  /** MQTT secret per client role. */
  mqtt: { api: string; worker: string; usage: string };
  adminToken: string;
  serviceToken: string;
}

const secret = () => randomBytes(24).toString('base64url');

export interface Launcher {
  logs: string;
  data: string;
  secrets: Secrets;
  /** Starts `entry` as `name` with the common env plus `env`; resolves once it is ready. */
  launch(name: string, entry: string, env: Record<string, string>): Promise<ManagedProcess>;
  /** SIGKILLs everything launched so far (for a start that failed half way). */
  killAll(): Promise<void>;
}

export function launcher(dir: string, o: { logLevel?: string; nodeArgs?: string[] } = {}): Launcher {
  const logs = join(dir, 'logs');
  const data = join(dir, 'data');
  mkdirSync(logs, { recursive: true });
  mkdirSync(data, { recursive: true });
  const common = { NINES_LOG_LEVEL: o.logLevel ?? 'info', NINES_HOST: '127.0.0.1' };
  const started: ManagedProcess[] = [];
  return {
    logs,
    data,
    secrets: { mqtt: { api: secret(), worker: secret(), usage: secret() }, adminToken: secret(), serviceToken: secret() },
    async launch(name, entry, env) {
      const p = new ManagedProcess({ name, entry, env: { ...common, ...env }, logFile: logPath(logs, name), nodeArgs: o.nodeArgs });
      started.push(p);
      await p.start();
      return p;
    },
    killAll: async () => void (await Promise.all(started.map((p) => p.kill()))),
  };
}

/**
 * A worker's concurrency setting, and the libuv pool that lets it run that many resizes at
 * once (system/worker/threadpool.ts): the pool's size must be in the environment it starts with.
 */
export function workerConcurrencyEnv(concurrency?: number): Record<string, string> {
  return {
    ...(concurrency ? { NINES_WORKER_CONCURRENCY: String(concurrency) } : {}),
    UV_THREADPOOL_SIZE: String(threadpoolSizeFor(concurrency ?? defaultWorkerConcurrency())),
  };
}
