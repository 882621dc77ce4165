/**
 * The identity store and key format: durability across a reopen, keys at rest only as
 * hashes, the version bumped once per change, and strict key parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateKey, hashKey, parseKey } from '../../../system/identity/keys.ts';
import { IdentityStore } from '../../../system/identity/store.ts';
import { log, tempDbPath } from './helpers.ts';

test('keys: format, hash, strict parsing', () => {
  const k = generateKey();
  assert.match(k.keyId, /^[0-9a-f]{12}$/);
  assert.match(k.apiKey, new RegExp(`^nines_${k.keyId}_[A-Za-z0-9_-]{43}$`));
  assert.equal(k.hash, hashKey(k.apiKey));
  assert.match(k.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(parseKey(k.apiKey), { keyId: k.keyId });
  assert.notEqual(generateKey().apiKey, k.apiKey);

  const secret = k.apiKey.slice(19);
  const rejects = [
    '',
    k.apiKey + '=',
    k.apiKey.slice(0, -1),
    // Upper-case hex in the key id (a fixed one: a random id may have no letter to raise, 1 in 280).
    `nines_ABCDEF${k.keyId.slice(6)}_${secret}`,
    `nines_${k.keyId}x_${secret}`,
    `NINES_${k.keyId}_${secret}`,
    `nines_${k.keyId}_${secret.slice(0, -1)}+`,
    `${k.apiKey}\n`,
    // 43 characters whose last one carries bits beyond 32 bytes: not a canonical encoding.
    `nines_${k.keyId}_${'A'.repeat(42)}B`,
  ];
  for (const bad of rejects) assert.equal(parseKey(bad), undefined, JSON.stringify(bad));
  assert.equal(parseKey(123 as unknown as string), undefined);
});

test('the store survives a reopen, and keeps keys only as hashes', async (t) => {
  const path = tempDbPath(t);
  const store = IdentityStore.open({ path, log });
  assert.ok(existsSync(dirname(path)), 'parent directory created');
  const a = store.createTenant({ name: 'durable', ratePerSec: 3, burst: 6 });
  const b = store.createKey(a.tenantId);
  const revoked = store.revokeKey(a.keyId);
  const before = { version: store.version(), tenants: store.listTenants(), snapshot: store.snapshot() };
  store.close();

  // Every byte SQLite keeps for this database: the main file and any WAL/shm left behind.
  const files = readdirSync(dirname(path)).filter((f) => f.startsWith('identity.db'));
  const bytes = Buffer.concat(files.map((f) => readFileSync(join(dirname(path), f))));
  for (const key of [a.apiKey, b.apiKey]) {
    assert.equal(bytes.includes(key), false, 'plain key absent from the db files');
    assert.equal(bytes.includes(key.slice(19)), false, 'secret part absent from the db files');
    assert.equal(bytes.includes(hashKey(key)), true, 'its hash is what is stored (and these are the right bytes)');
  }

  const reopened = IdentityStore.open({ path, log });
  t.after(() => reopened.close());
  assert.equal(reopened.version(), before.version);
  assert.deepEqual(reopened.listTenants(), before.tenants);
  assert.deepEqual(reopened.snapshot(), before.snapshot);
  assert.deepEqual(reopened.snapshot().keys, [{ keyId: b.keyId, tenantId: a.tenantId, hash: hashKey(b.apiKey) }]);
  assert.equal(reopened.revokeKey(a.keyId).revokedAt, revoked.revokedAt, 'revocation time survived too');
  reopened.createKey(a.tenantId);
  assert.equal(reopened.version(), before.version + 1, 'the version keeps counting from where it was');
});

test('the version moves once per change and listeners hear each commit', (t) => {
  const store = IdentityStore.open({ path: tempDbPath(t), log });
  t.after(() => store.close());
  const heard: number[] = [];
  const off = store.onChange((v) => heard.push(v));
  assert.equal(store.version(), 0);
  const a = store.createTenant({ name: 'v', ratePerSec: 1, burst: 1 });
  assert.throws(() => store.createTenant({ name: 'V', ratePerSec: 1, burst: 1 }), { code: 'ERR_TENANT_EXISTS' });
  assert.throws(() => store.createKey('tn_0000000000000000'), { code: 'ERR_TENANT_NOT_FOUND' });
  assert.throws(() => store.revokeKey('000000000000'), { code: 'ERR_KEY_NOT_FOUND' });
  store.createKey(a.tenantId);
  store.revokeKey(a.keyId);
  store.revokeKey(a.keyId);
  assert.deepEqual(heard, [1, 2, 3], 'failed and no-op writes change nothing');
  off();
  store.createKey(a.tenantId);
  assert.deepEqual(heard, [1, 2, 3]);
  // A throwing listener must not turn a committed write into an error.
  store.onChange(() => {
    throw new Error('listener bug');
  });
  assert.doesNotThrow(() => store.createKey(a.tenantId));
  assert.equal(store.version(), 5);
  assert.deepEqual(store.counts(), { tenants: 1, activeKeys: 3 });
});
