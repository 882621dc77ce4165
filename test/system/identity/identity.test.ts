/**
 * The identity service end to end: the admin API, the blocking snapshot query, and the
 * replica api servers use, against a real server on port 0 and a real SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, admin, snapshot, startIdentity, startReplica, waitFor } from './helpers.ts';

test('a created tenant key is accepted by the replica; wrong, malformed and unknown keys are not', async (t) => {
  const id = await startIdentity(t);
  const replica = startReplica(t, id.url);
  const created = await admin(id.url, 'POST', '/admin/tenants', { name: 'acme', ratePerSec: 5, burst: 9 });
  assert.equal(created.status, 201);
  const { tenantId, apiKey, keyId, name, ratePerSec, burst } = created.json as Record<string, string | number>;
  assert.match(String(tenantId), /^tn_[0-9a-f]{16}$/);
  assert.match(String(apiKey), /^nines_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  assert.equal(String(apiKey).slice(6, 18), keyId);
  assert.deepEqual({ name, ratePerSec, burst }, { name: 'acme', ratePerSec: 5, burst: 9 });

  await replica.ready();
  assert.ok(await waitFor(() => replica.authenticate(String(apiKey)) !== undefined, 5000), 'replica accepts the new key');
  assert.deepEqual(replica.authenticate(String(apiKey)), { tenantId, keyId, ratePerSec: 5, burst: 9 });
  assert.deepEqual(replica.tenant(String(tenantId)), { tenantId, name: 'acme', ratePerSec: 5, burst: 9 });

  const key = String(apiKey);
  const lastChar = key.at(-1) === 'A' ? 'Q' : 'A';
  assert.equal(replica.authenticate(key.slice(0, -1) + lastChar), undefined, 'wrong secret');
  assert.equal(replica.authenticate(`nines_000000000000_${key.slice(19)}`), undefined, 'unknown keyId');
  for (const bad of ['', 'nines_', key + 'x', key.toUpperCase(), `Bearer ${key}`, key.replace('nines_', 'nine_'), ` ${key}`]) {
    assert.equal(replica.authenticate(bad), undefined, `malformed: ${JSON.stringify(bad)}`);
  }

  // Defaults come from config when the body leaves them out.
  const dflt = await admin(id.url, 'POST', '/admin/tenants', { name: 'beta co.' });
  assert.equal(dflt.status, 201);
  assert.deepEqual([dflt.json.ratePerSec, dflt.json.burst], [200, 400]);
});

test('admin routes refuse a missing or wrong admin token with a 401 problem', async (t) => {
  const id = await startIdentity(t);
  const routes: Array<[string, string]> = [
    ['POST', '/admin/tenants'],
    ['GET', '/admin/tenants'],
    ['POST', '/admin/tenants/tn_0000000000000000/keys'],
    ['POST', '/admin/keys/000000000000/revoke'],
  ];
  for (const [method, path] of routes) {
    for (const token of [null, 'wrong-token-0123456789abcdef', `${ADMIN_TOKEN}x`]) {
      const r = await admin(id.url, method, path, method === 'POST' ? { name: 'x' } : undefined, token);
      assert.equal(r.status, 401, `${method} ${path} with ${token ?? 'no token'}`);
      assert.match(r.type, /^application\/problem\+json/);
      assert.equal(r.json.code, 'ERR_UNAUTHORIZED');
    }
  }
  // Tokens are per plane: the admin token does not open the data plane, nor the reverse.
  assert.equal((await snapshot(id.url, '', ADMIN_TOKEN)).status, 401);
  assert.equal((await admin(id.url, 'GET', '/admin/tenants', undefined, 'service-token-0123456789abcdef')).status, 401);
  assert.equal((await admin(id.url, 'GET', '/admin/tenants')).json.tenants instanceof Array, true);
});

test('bad bodies get a 400 problem listing every issue; duplicates get 409; unknown ids 404', async (t) => {
  const id = await startIdentity(t);
  const bad = await admin(id.url, 'POST', '/admin/tenants', { name: '', ratePerSec: -1, burst: 1.5, color: 'red' });
  assert.equal(bad.status, 400);
  assert.match(bad.type, /^application\/problem\+json/);
  assert.equal(bad.json.code, 'ERR_VALIDATION');
  const paths = (bad.json.issues as Array<{ path: string }>).map((i) => i.path).sort();
  assert.deepEqual(paths, ['', 'burst', 'name', 'ratePerSec'], 'one issue per problem, the unknown field included');

  for (const body of [{ name: 'no/slash' }, { name: 'x'.repeat(65) }, { name: ' padded' }, { name: 7 }, 'not json', '[]']) {
    const r = await admin(id.url, 'POST', '/admin/tenants', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(typeof r.json.code, 'string');
  }
  const huge = await admin(id.url, 'POST', '/admin/tenants', { name: 'a', pad: 'x'.repeat(10_000) });
  assert.equal(huge.status, 413);

  assert.equal((await admin(id.url, 'POST', '/admin/tenants', { name: 'Acme' })).status, 201);
  for (const dup of ['Acme', 'acme']) {
    const r = await admin(id.url, 'POST', '/admin/tenants', { name: dup });
    assert.equal(r.status, 409);
    assert.equal(r.json.code, 'ERR_TENANT_EXISTS');
  }
  const noTenant = await admin(id.url, 'POST', '/admin/tenants/tn_0000000000000000/keys');
  assert.deepEqual([noTenant.status, noTenant.json.code], [404, 'ERR_TENANT_NOT_FOUND']);
  const noKey = await admin(id.url, 'POST', '/admin/keys/000000000000/revoke');
  assert.deepEqual([noKey.status, noKey.json.code], [404, 'ERR_KEY_NOT_FOUND']);
  const noRoute = await admin(id.url, 'GET', '/admin/nope');
  assert.deepEqual([noRoute.status, noRoute.json.code], [404, 'ERR_NOT_FOUND']);
  const badQuery = await snapshot(id.url, '?index=-1');
  assert.deepEqual([badQuery.status, badQuery.json.code], [400, 'ERR_VALIDATION']);
});

test('keys: create, list without secrets, revoke idempotently', async (t) => {
  const id = await startIdentity(t);
  const tenant = (await admin(id.url, 'POST', '/admin/tenants', { name: 'keys-co' })).json;
  const k2 = await admin(id.url, 'POST', `/admin/tenants/${tenant.tenantId}/keys`);
  assert.equal(k2.status, 201);
  assert.deepEqual(Object.keys(k2.json).sort(), ['apiKey', 'keyId', 'tenantId']);
  const r1 = await admin(id.url, 'POST', `/admin/keys/${tenant.keyId}/revoke`);
  assert.equal(r1.status, 200);
  assert.deepEqual([r1.json.keyId, r1.json.tenantId], [tenant.keyId, tenant.tenantId]);
  const v = id.store.version();
  await new Promise((r) => setTimeout(r, 5));
  const r2 = await admin(id.url, 'POST', `/admin/keys/${tenant.keyId}/revoke`);
  assert.equal(r2.json.revokedAt, r1.json.revokedAt, 'a second revoke keeps the first time');
  assert.equal(id.store.version(), v, 'and changes nothing');

  const list = await admin(id.url, 'GET', '/admin/tenants');
  const text = JSON.stringify(list.json);
  assert.ok(!text.includes(String(tenant.apiKey)) && !text.includes(String(k2.json.apiKey)), 'no key in the listing');
  assert.ok(!/hash/i.test(text), 'no hash in the listing');
  const [row] = list.json.tenants as Array<{ keys: Array<{ keyId: string; revokedAt: string | null }> }>;
  assert.deepEqual(
    row!.keys.map((k) => [k.keyId, k.revokedAt]).sort(),
    [[tenant.keyId, r1.json.revokedAt], [k2.json.keyId, null]].sort(),
  );
  const snap = await snapshot(id.url, '');
  assert.deepEqual((snap.json.keys as Array<{ keyId: string }>).map((k) => k.keyId), [k2.json.keyId], 'revoked keys leave the snapshot');
});

test('blocking snapshot: at once when behind, held when current, released by a change', async (t) => {
  const id = await startIdentity(t);
  await admin(id.url, 'POST', '/admin/tenants', { name: 'one' });
  const v = id.store.version();

  const first = await snapshot(id.url, '');
  assert.deepEqual([first.status, first.index, first.header], [200, v, String(v)]);
  const behind = await snapshot(id.url, `?index=${v - 1}&wait=30000`);
  assert.equal(behind.index, v);
  assert.ok(behind.ms < 5000, `answered at once when behind (${behind.ms.toFixed(1)} ms)`);

  const held = await snapshot(id.url, `?index=${v}&wait=400`);
  assert.equal(held.index, v, 'same index when nothing changed');
  assert.ok(held.ms >= 350, `held for the wait (${held.ms.toFixed(1)} ms)`);

  const pending = snapshot(id.url, `?index=${v}&wait=30000`);
  await new Promise((r) => setTimeout(r, 100));
  const change = performance.now();
  await admin(id.url, 'POST', '/admin/tenants', { name: 'two' });
  const released = await pending;
  const afterChange = performance.now() - change;
  assert.equal(released.index, v + 1);
  assert.ok(released.ms >= 100 && afterChange < 5000, `released by the change (${afterChange.toFixed(1)} ms after it)`);
  assert.ok((released.json.tenants as Array<{ name: string }>).some((x) => x.name === 'two'));
  t.diagnostic(`snapshot released ${afterChange.toFixed(2)} ms after the change was requested`);
});

test('closing the app answers held snapshot requests instead of hanging them', async (t) => {
  const id = await startIdentity(t);
  const v = id.store.version();
  const pending = snapshot(id.url, `?index=${v}&wait=30000`);
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  await id.stop();
  const res = await pending;
  assert.deepEqual([res.status, res.index], [200, v]);
  assert.ok(performance.now() - t0 < 5000);
});

test('revocation propagates to the replica (lag measured, not asserted)', async (t) => {
  const id = await startIdentity(t);
  const replica = startReplica(t, id.url); // default 10 s hold: the change must release it
  const tenant = (await admin(id.url, 'POST', '/admin/tenants', { name: 'revoke-me' })).json;
  const apiKey = String(tenant.apiKey);
  await replica.ready();
  assert.ok(await waitFor(() => replica.authenticate(apiKey) !== undefined, 5000));
  // Let the replica park its next poll, so the lag is that of a held query being released.
  await new Promise((r) => setTimeout(r, 50));

  let committedAt = 0;
  const unsubscribe = id.store.onChange(() => (committedAt = performance.now()));
  const t0 = performance.now();
  const revoked = admin(id.url, 'POST', `/admin/keys/${tenant.keyId}/revoke`);
  const lag = await waitFor(() => replica.authenticate(apiKey) === undefined, 5000, 1);
  const rejectedAt = performance.now();
  unsubscribe();
  assert.equal((await revoked).status, 200);
  assert.notEqual(lag, undefined, 'the replica stopped accepting the revoked key within 5 s');
  t.diagnostic(
    `revocation lag: ${(rejectedAt - t0).toFixed(2)} ms from the admin request, ` +
      `${(rejectedAt - committedAt).toFixed(2)} ms from the commit notification (1 ms polling of authenticate)`,
  );
});

test('the replica keeps its snapshot while identity is down and catches up after a restart', async (t) => {
  const first = await startIdentity(t);
  const tenant = (await admin(first.url, 'POST', '/admin/tenants', { name: 'survivor' })).json;
  const replica = startReplica(t, first.url, 200);
  await replica.ready();
  assert.ok(await waitFor(() => replica.authenticate(String(tenant.apiKey)) !== undefined, 5000));

  await first.stop();
  const added = first.store.createKey(String(tenant.tenantId));
  await new Promise((r) => setTimeout(r, 300)); // a few failed polls, with backoff
  assert.ok(replica.authenticate(String(tenant.apiKey)), 'last snapshot still serves while identity is down');
  assert.equal(replica.authenticate(added.apiKey), undefined);

  const second = await startIdentity(t, { store: first.store, port: first.port });
  assert.equal(second.port, first.port);
  const caughtUp = await waitFor(() => replica.authenticate(added.apiKey) !== undefined, 5000);
  assert.notEqual(caughtUp, undefined, 'the replica caught up after identity came back');
  t.diagnostic(`replica caught up ${caughtUp?.toFixed(0)} ms after identity restarted`);
});

test('replica.stop() aborts a held poll promptly; ready() rejects when stopped first', async (t) => {
  const id = await startIdentity(t);
  const replica = startReplica(t, id.url, 30_000);
  await replica.ready();
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  await replica.stop();
  assert.ok(performance.now() - t0 < 1000, 'stop did not wait for the held poll');

  const never = startReplica(t, 'http://127.0.0.1:9', 100); // nothing listens on the discard port
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(never.isReady(), false);
  await never.stop();
  await assert.rejects(never.ready());
});

test('healthz, metrics and request counting', async (t) => {
  const id = await startIdentity(t);
  await admin(id.url, 'POST', '/admin/tenants', { name: 'metered' });
  await admin(id.url, 'GET', '/admin/tenants', undefined, null);
  const health = await fetch(`${id.url}/healthz`);
  assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
  const metrics = await (await fetch(`${id.url}/metrics`)).text();
  assert.match(metrics, /^nines_identity_keys_active 1$/m);
  assert.match(metrics, /^nines_identity_tenants 1$/m);
  assert.match(metrics, /^nines_identity_admin_requests_total\{route="create_tenant",status="201"\} 1$/m);
  assert.match(metrics, /^nines_identity_admin_requests_total\{route="list_tenants",status="401"\} 1$/m);
});
