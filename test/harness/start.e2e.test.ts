/**
 * `nines start` as `npm start` runs it (the CLI and the services built ahead of time): the
 * whole stack comes up with no process compiling TypeScript, the printed curl line's
 * request works with the printed key, `.nines/demo.json` holds what the README says, and
 * Ctrl-C stops every process cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../../harness/stack/process.ts';
import { waitForTargetsUp } from '../../harness/observe/prometheus-api.ts';
import { processTree } from '../../bench/proc.ts';
import { build, builtPath } from '../../scripts/build.mjs';

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

test('nines start serves the printed curl example and stops cleanly on SIGINT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-start-'));
  await build();
  const child = spawn(process.execPath, ['--enable-source-maps', builtPath('harness/cli.ts'), 'start', '--port', '0', '--admin-port', '0', '--prometheus-port', '0', '--dashboard-port', '0', '--dir', dir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${out}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ctrl-C stops everything')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    const demo = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')) as { apiUrl: string; apiKey: string; adminUrl: string; adminToken: string };
    assert.deepEqual(Object.keys(demo).sort(), ['adminToken', 'adminUrl', 'apiKey', 'apiUrl']);
    assert.ok(out.includes(demo.apiKey) && out.includes(`${demo.apiUrl}/v1/resize?width=320&format=webp`), 'the banner prints the key and the curl line');

    // Every node process of the stack runs built JavaScript: none keeps a TypeScript compiler.
    const nodes = processTree(child.pid!).map(commandLine).filter((c) => c.startsWith(process.execPath));
    assert.equal(nodes.filter((c) => /dist\/system\/\w+\/main\.js/.test(c)).length, 5, nodes.join('\n'));
    assert.deepEqual(nodes.filter((c) => c.includes('tsx')), []);

    // The curl line, as fetch: the sample image, the printed key.
    const r = await fetch(`${demo.apiUrl}/v1/resize?width=320&format=webp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.apiKey}`, 'content-type': 'image/jpeg' },
      body: readFileSync(join(dir, 'sample.jpg')) as Uint8Array<ArrayBuffer>,
    });
    assert.equal(r.status, 200);
    const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width], ['webp', 320]);

    // The admin API as the README documents it.
    const created = await fetch(`${demo.adminUrl}/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'second' }),
    });
    assert.equal(created.status, 201);
    const t = (await created.json()) as { tenantId: string; apiKey: string };
    assert.ok(t.tenantId && t.apiKey);

    // The printed Prometheus scrapes every process, each its own job/instance, all up, and
    // not itself (nothing `nines start` shows reads its own metrics; idle cost).
    const prometheusUrl = /metrics {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(prometheusUrl, `the banner prints Prometheus's URL:\n${out}`);
    const targets = await waitForTargetsUp(prometheusUrl, 20_000);
    assert.deepEqual(targets.map((x) => `${x.job}/${x.instance}`).sort(), ['nines-api/api-1', 'nines-broker/broker', 'nines-identity/identity', 'nines-usage/usage', 'nines-worker/worker-1']);

    // The SLA page is printed beside them and reads that same Prometheus.
    const slaUrl = /sla {6}(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    assert.ok(slaUrl, `the banner prints the SLA page's URL:\n${out}`);
    const overview = (await (await fetch(`${slaUrl}/api/overview`)).json()) as { prometheus: { url: string; up: boolean } };
    assert.deepEqual(overview.prometheus, { url: prometheusUrl, up: true });

    child.kill('SIGINT');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nines start refuses a worker count or concurrency that is not a whole number ≥ 1, before starting anything', async () => {
  for (const [flag, value] of [
    ['--workers', '0'],
    ['--concurrency', 'two'],
  ] as const) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness/cli.ts'), 'start', flag, value, '--dir', join(tmpdir(), 'nines-start-never')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2, err);
    assert.match(err, new RegExp(`${flag} must be a whole number of at least 1, got '${value}'`));
    assert.doesNotMatch(err, /starting broker/);
  }
});
