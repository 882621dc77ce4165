/**
 * What the stack benchmarks share: the embedded stack started for measuring (unless told
 * otherwise one worker process per core with one job in flight each, admission limits out
 * of the way, one tenant with no rate limit), the resize request they send.
 *
 * One process per core rather than one worker with `cores` jobs: sharp did 1.2-1.3 x the
 * resizes as two processes than as two resizes in one process on this project's 2-core
 * machine, and the stack 1.03-1.04 x in a closed loop (same-minute A/B, bench/RESULTS.md).
 * Within the p99 SLA it is the other way round (the capacity scenario's best single second,
 * as it was then measured: 62/s this way, 66-69/s with one worker whose two slots share one
 * queue), so `nines start` keeps one worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../harness/stack/local-stack.ts';
import { AdminClient } from '../system/identity/admin-client.ts';
import type { LeanTarget } from './lean-client.ts';
import { cpuSecondsOf } from './proc.ts';

/**
 * Seconds of closed-loop load before any stack benchmark measures (env BENCH_WARMUP). At
 * ~60 requests/s the services' hot paths take tens of seconds to reach optimised code: the
 * api's CPU per request fell from 6.1 to 4.6, 4.1, 3.5 and 3.1 ms over the first five 10 s
 * windows of a closed loop, and the broker's from 1.3-1.4 to 0.7-0.9 ms only after 40-50 s
 * (bench/RESULTS.md). A service in production runs for days; the figure is its steady state.
 */
export const warmupS = Number(process.env.BENCH_WARMUP ?? 60);

export interface BenchStack {
  stack: LocalStack;
  /** The first tenant's key. */
  apiKey: string;
  /** One key per tenant (`tenants` of them). */
  apiKeys: string[];
  /** The lean client's request: POST /v1/resize?<query> with `image`, as `apiKey`'s tenant by default. */
  target(image: Buffer, query: string, key?: string): LeanTarget;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  dir?: string;
  nodeArgs?: string[];
  workers?: number;
  workerConcurrency?: number;
  /** Tenants to create, each with no rate limit to speak of (default 1). */
  tenants?: number;
  /** Every service's log level (default warn; `info` is what `nines start` deploys). */
  logLevel?: string;
  /** Extra environment for the workers (to try a setting on a fresh stack). */
  workerEnv?: Record<string, string>;
}

export async function startBenchStack(o: BenchStackOptions = {}): Promise<BenchStack> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'nines-bench-'));
  const stack = await startLocalStack({
    dir,
    workers: o.workers ?? availableParallelism(),
    workerConcurrency: o.workerConcurrency ?? 1,
    logLevel: o.logLevel ?? 'warn',
    nodeArgs: o.nodeArgs,
    env: { api: { NINES_API_MAX_INFLIGHT: '256', NINES_API_TENANT_MAX_INFLIGHT: '256' }, worker: o.workerEnv },
  });
  try {
    const admin = new AdminClient({ adminUrl: stack.adminUrl, adminToken: stack.adminToken });
    const apiKeys: string[] = [];
    for (let i = 0; i < (o.tenants ?? 1); i++) {
      apiKeys.push((await admin.createTenant({ name: i === 0 ? 'bench' : `bench-${i + 1}`, ratePerSec: 100_000, burst: 100_000 })).apiKey);
    }
    const apiKey = apiKeys[0]!;
    const u = new URL(stack.apiUrl);
    return {
      stack,
      apiKey,
      apiKeys,
      target: (image, query, key = apiKey) => ({ host: u.hostname, port: Number(u.port), path: `/v1/resize?${query}`, headers: { authorization: `Bearer ${key}`, 'content-type': 'image/jpeg' }, body: image }),
      async stop() {
        await stack.stop();
        if (!o.dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

/**
 * CPU seconds (user + system, /proc) each process of the stack has used so far, by kind:
 * the workers summed, as are the api servers.
 */
export function stackCpuSeconds(stack: LocalStack): Record<'api' | 'broker' | 'worker' | 'usage' | 'identity', number> {
  const sum = (ps: { pid?: number }[]) => ps.reduce((a, p) => a + cpuSecondsOf(p.pid!), 0);
  return {
    api: sum(stack.apis),
    broker: cpuSecondsOf(stack.broker.pid!),
    worker: sum(stack.workers),
    usage: cpuSecondsOf(stack.usage.pid!),
    identity: cpuSecondsOf(stack.identity.pid!),
  };
}
