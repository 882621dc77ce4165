/**
 * `nines tenant` and `nines key` against a real identity server: exit codes and parsed
 * `--json` output, with stdout/stderr captured around each run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command as tenant } from '../../../harness/commands/tenant.ts';
import { command as key } from '../../../harness/commands/key.ts';
import { resolveAdminTarget } from '../../../system/identity/admin-target.ts';
import { ADMIN_TOKEN, startIdentity, startReplica, waitFor } from './helpers.ts';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with its stdout and stderr captured. Only string writes are captured:
 * under `node --test` the runner reports from this same process through process.stdout
 * in Buffer chunks, which must pass through untouched or the run's report is corrupted.
 */
async function cli(cmd: { run(argv: string[]): Promise<number> }, argv: string[]): Promise<Ran> {
  // Let a reporter writing strings (a plain `node file.test.ts` run) flush before capturing.
  await new Promise((r) => setImmediate(r));
  const captured = { stdout: [] as string[], stderr: [] as string[] };
  const restore: Array<() => void> = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write;
    stream.write = function (this: typeof stream, chunk: unknown, ...rest: unknown[]) {
      if (typeof chunk === 'string') return captured[name].push(chunk) > 0;
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  try {
    const code = await cmd.run(argv);
    return { code, stdout: captured.stdout.join(''), stderr: captured.stderr.join('') };
  } finally {
    for (const r of restore) r();
  }
}

test('tenant create/list and key create/revoke, human and --json', async (t) => {
  const id = await startIdentity(t);
  const replica = startReplica(t, id.url);
  const target = ['--admin-url', id.url, '--admin-token', ADMIN_TOKEN];

  const created = await cli(tenant, ['create', 'Acme Photos', '--rate', '7', '--burst', '11', '--json', ...target]);
  assert.equal(created.code, 0, created.stderr);
  const t1 = JSON.parse(created.stdout) as { tenantId: string; keyId: string; apiKey: string; name: string; ratePerSec: number; burst: number };
  assert.deepEqual([t1.name, t1.ratePerSec, t1.burst], ['Acme Photos', 7, 11]);
  await replica.ready();
  assert.ok(await waitFor(() => replica.authenticate(t1.apiKey)?.tenantId === t1.tenantId, 5000), 'the CLI-made key works');

  const human = await cli(tenant, ['create', 'second', ...target]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /API key: nines_[0-9a-f]{12}_\S{43}\n/);
  assert.match(human.stdout, /cannot be shown again/);

  const listed = await cli(tenant, ['list', '--json', ...target]);
  assert.equal(listed.code, 0);
  const { tenants } = JSON.parse(listed.stdout) as { tenants: Array<{ tenantId: string; name: string; keys: unknown[] }> };
  assert.deepEqual(tenants.map((x) => x.name), ['Acme Photos', 'second']);
  assert.ok(!listed.stdout.includes(t1.apiKey));
  const table = await cli(tenant, ['list', ...target]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^TENANT ID\s+NAME\s+RATE\/S\s+BURST\s+KEYS\s+CREATED$/m);
  assert.ok(table.stdout.includes(t1.tenantId));

  const k = await cli(key, ['create', t1.tenantId, '--json', ...target]);
  assert.equal(k.code, 0, k.stderr);
  const k2 = JSON.parse(k.stdout) as { tenantId: string; keyId: string; apiKey: string };
  assert.equal(k2.tenantId, t1.tenantId);

  // A pasted full key is reduced to its id before it is sent.
  const r = await cli(key, ['revoke', t1.apiKey, '--json', ...target]);
  assert.equal(r.code, 0, r.stderr);
  const revoked = JSON.parse(r.stdout) as { keyId: string; tenantId: string; revokedAt: string };
  assert.deepEqual([revoked.keyId, revoked.tenantId], [t1.keyId, t1.tenantId]);
  assert.ok(await waitFor(() => replica.authenticate(t1.apiKey) === undefined, 5000), 'revoked key refused');
  assert.ok(await waitFor(() => replica.authenticate(k2.apiKey) !== undefined, 5000), 'the new key still works');
  const again = await cli(key, ['revoke', t1.keyId, ...target]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, new RegExp(`revoked key ${t1.keyId} of tenant ${t1.tenantId} at ${revoked.revokedAt}`));
});

test('exit 1 with the server code on server errors; exit 2 on usage errors', async (t) => {
  const id = await startIdentity(t);
  const target = ['--admin-url', id.url, '--admin-token', ADMIN_TOKEN];
  assert.equal((await cli(tenant, ['create', 'dup', ...target])).code, 0);

  const dup = await cli(tenant, ['create', 'dup', ...target]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /ERR_TENANT_EXISTS/);
  const badToken = await cli(tenant, ['list', '--admin-url', id.url, '--admin-token', 'wrong-token-0123456789']);
  assert.equal(badToken.code, 1);
  assert.match(badToken.stderr, /ERR_UNAUTHORIZED/);
  const noKey = await cli(key, ['revoke', '000000000000', ...target]);
  assert.deepEqual([noKey.code, /ERR_KEY_NOT_FOUND/.test(noKey.stderr)], [1, true]);
  const noTenant = await cli(key, ['create', 'tn_0000000000000000', ...target]);
  assert.deepEqual([noTenant.code, /ERR_TENANT_NOT_FOUND/.test(noTenant.stderr)], [1, true]);
  const badName = await cli(tenant, ['create', 'a/b', ...target]);
  assert.deepEqual([badName.code, /ERR_VALIDATION/.test(badName.stderr)], [1, true]);
  const down = await cli(tenant, ['list', '--admin-url', 'http://127.0.0.1:1', '--admin-token', ADMIN_TOKEN]);
  assert.deepEqual([down.code, /ERR_ADMIN_UNREACHABLE/.test(down.stderr)], [1, true]);

  for (const argv of [
    [],
    ['frobnicate'],
    ['create'],
    ['create', 'a', 'b'],
    ['create', 'x', '--rate', '0'],
    ['create', 'x', '--rate', 'fast'],
    ['list', '--bogus'],
    ['list', '--admin-url', 'not a url', '--admin-token', ADMIN_TOKEN],
  ]) {
    const r = await cli(tenant, [...argv, ...(argv.includes('--admin-url') ? [] : target)]);
    assert.equal(r.code, 2, `tenant ${argv.join(' ')}`);
    assert.ok(r.stderr.length > 0);
  }
  for (const argv of [[], ['create'], ['revoke'], ['revoke', 'a', 'b'], ['rotate', 'x']]) {
    assert.equal((await cli(key, [...argv, ...target])).code, 2, `key ${argv.join(' ')}`);
  }
  for (const cmd of [tenant, key]) {
    const h = await cli(cmd, ['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Examples:/);
  }
});

test('the admin target comes from flags, else env, else .nines/demo.json, else a clear error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const flags = { 'admin-url': 'http://flag:1', 'admin-token': 'flag-token' };
  const env = { NINES_ADMIN_URL: 'http://env:2', NINES_ADMIN_TOKEN: 'env-token' };
  assert.deepEqual(resolveAdminTarget(flags, env, dir), { adminUrl: 'http://flag:1', adminToken: 'flag-token' });
  assert.deepEqual(resolveAdminTarget({}, env, dir), { adminUrl: 'http://env:2', adminToken: 'env-token' });

  // The demo file in the working directory is read before the repo root's, so these
  // lookups do not depend on whether a demo is running in this checkout.
  mkdirSync(join(dir, '.nines'));
  writeFileSync(join(dir, '.nines', 'demo.json'), JSON.stringify({ apiUrl: 'x', apiKey: 'y', adminUrl: 'http://demo:3', adminToken: 'demo-token' }));
  assert.deepEqual(resolveAdminTarget({}, {}, dir), { adminUrl: 'http://demo:3', adminToken: 'demo-token' });
  assert.deepEqual(resolveAdminTarget({ 'admin-token': 'flag-token' }, {}, dir), { adminUrl: 'http://demo:3', adminToken: 'flag-token' });

  writeFileSync(join(dir, '.nines', 'demo.json'), JSON.stringify({ adminUrl: 'http://demo:3' }));
  assert.throws(
    () => resolveAdminTarget({}, {}, dir),
    (err: Error & { code?: string }) =>
      err.code === 'ERR_ADMIN_TARGET' &&
      /--admin-token/.test(err.message) &&
      /NINES_ADMIN_TOKEN/.test(err.message) &&
      /\.nines\/demo\.json/.test(err.message),
  );
});
