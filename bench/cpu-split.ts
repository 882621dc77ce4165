/**
 * Where the CPU of one resize goes: per-process CPU (user + system, from /proc/<pid>/stat)
 * per completed request over a closed-loop run against the embedded stack, plus this load
 * generator's own. Prints a table; appends nothing. BENCH_IMAGE=path, BENCH_SECONDS.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startLocalStack } from '../harness/stack/local-stack.ts';
import { repoRoot } from '../harness/stack/process.ts';
import { AdminClient } from '../system/identity/admin-client.ts';
import { LeanConnection } from './lean-client.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const image = readFileSync(process.env.BENCH_IMAGE ?? join(repoRoot, '..', 'shared', 'fixtures', 'images', '2569067123_aca715a2ee_o.jpg'));
const query = process.env.BENCH_QUERY ?? 'width=320&format=jpeg';
const cores = availableParallelism();
const tick = 100; // USER_HZ on Linux

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / tick;
}

const dir = process.env.BENCH_KEEP_DIR ?? mkdtempSync(join(tmpdir(), 'nines-cpu-'));
const stack = await startLocalStack({ dir, workers: 1, workerConcurrency: cores, logLevel: 'warn', nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), env: { api: { NINES_API_MAX_INFLIGHT: '256', NINES_API_TENANT_MAX_INFLIGHT: '256' } } });
try {
  const admin = new AdminClient({ adminUrl: stack.adminUrl, adminToken: stack.adminToken });
  const { apiKey } = await admin.createTenant({ name: 'bench', ratePerSec: 100_000, burst: 100_000 });
  const pool = new Pool(stack.apiUrl, { connections: 32, pipelining: 1 });
  const path = `/v1/resize?${query}`;
  const procs = { api: stack.apis[0]!, broker: stack.broker, worker: stack.workers[0]!, usage: stack.usage, identity: stack.identity };
  const run = async (s: number) => {
    const until = performance.now() + s * 1000;
    let ok = 0;
    await Promise.all(
      Array.from({ length: Number(process.env.BENCH_INFLIGHT ?? cores * 3) }, async () => {
        if (process.env.BENCH_CLIENT === 'undici') {
          while (performance.now() < until) {
            const r = await pool.request({ method: 'POST', path, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'image/jpeg' }, body: image });
            await r.body.arrayBuffer();
            if (r.statusCode === 200) ok++;
          }
          return;
        }
        const u = new URL(stack.apiUrl);
        const c = new LeanConnection({ host: u.hostname, port: Number(u.port), path, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'image/jpeg' }, body: image });
        await c.connect();
        while (performance.now() < until) if ((await c.send()) === 200) ok++;
        c.close();
      }),
    );
    return ok;
  };
  await run(2);
  const before = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuMs(p.pid!)]));
  const self0 = process.cpuUsage();
  const ok = await run(seconds);
  const self1 = process.cpuUsage(self0);
  const rows: [string, number][] = Object.entries(procs).map(([k, p]) => [k, (cpuMs(p.pid!) - before[k]!) / ok]);
  rows.push(['loadgen', (self1.user + self1.system) / 1000 / ok]);
  console.log(`${image.length} bytes -> ${query}: ${(ok / seconds).toFixed(1)} resizes/s`);
  for (const [k, ms] of rows) console.log(`${k.padEnd(9)} ${ms.toFixed(2)} ms/request`);
  console.log(`total     ${rows.reduce((a, [, m]) => a + m, 0).toFixed(2)} ms/request`);
  await pool.close();
} finally {
  await stack.stop();
  if (!process.env.BENCH_KEEP_DIR) rmSync(dir, { recursive: true, force: true });
}
