/**
 * Metering over the real stack: every request is recorded with its tenant, bytes and CPU
 * time, and a tenant only ever sees its own usage.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, fixture, problemOf, resizeReq, startTestStack, type TestStack } from '../../helpers/stack.ts';
import type { UsageReport } from '../../../system/usage/types.ts';

let s: TestStack;
before(async () => {
  s = await startTestStack({ env: { api: { NINES_USAGE_BATCH_MAX_MS: '100' } } });
});
after(() => s?.dispose());

const usage = async (key: string, query = '') => {
  const r = await fetch(`${s.apiUrl}/v1/usage${query}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: r.status, body: (await r.json()) as UsageReport & { code?: string } };
};

test('every request is metered, and a tenant sees only its own usage', async () => {
  const other = await s.admin.createTenant({ name: 'other-tenant' });
  const img = fixture('flowers.jpeg');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await resizeReq(s, img, { query: 'width=100' });
    assert.equal(r.status, 200);
    ids.push(r.headers.get('x-request-id')!);
    await r.arrayBuffer();
  }
  const refused = await resizeReq(s, fixture('giant-image.jpg'));
  assert.equal(refused.status, 422);
  const b = await resizeReq(s, img, { query: 'width=50', key: other.apiKey });
  assert.equal(b.status, 200);
  const bBytes = (await b.arrayBuffer()).byteLength;

  const mine = await eventually(async () => {
    const u = await usage(s.apiKey);
    return u.body.totals?.requests === 4 ? u.body : undefined;
  });
  assert.equal(mine.tenantId, s.tenantId);
  assert.equal(mine.totals.succeeded, 3);
  assert.equal(mine.totals.failed, 1);
  assert.equal(mine.totals.inputBytes, 3 * img.length + fixture('giant-image.jpg').length);
  assert.ok(mine.totals.outputBytes > 0);
  assert.ok(mine.totals.cpuMs > 0, 'worker CPU time is metered');
  assert.equal(mine.hours.length, 1);

  const theirs = await eventually(async () => {
    const u = await usage(other.apiKey);
    return u.body.totals?.requests === 1 ? u.body : undefined;
  });
  assert.equal(theirs.tenantId, other.tenantId);
  assert.equal(theirs.totals.outputBytes, bBytes);

  // The raw records are the audit trail: each request, by its X-Request-Id.
  const rec = await fetch(`${s.usageUrl}/internal/records?tenantId=${s.tenantId}&limit=10`, { headers: { authorization: `Bearer ${s.serviceToken}` } });
  const { records } = (await rec.json()) as { records: Array<{ requestId: string; status: number; tenantId: string }> };
  for (const id of ids) assert.ok(records.some((r) => r.requestId === id && r.status === 200), `record for ${id}`);
  assert.ok(records.every((r) => r.tenantId === s.tenantId));
});

test('a tenant cannot ask for another tenant by parameter', async () => {
  const r = await fetch(`${s.apiUrl}/v1/usage?tenantId=tn_0000000000000000`, { headers: { authorization: `Bearer ${s.apiKey}` } });
  assert.equal(r.status, 400);
  assert.equal((await problemOf(r)).code, 'ERR_BAD_PARAMETER');
});

test('usage needs a valid key, and bad dates are refused', async () => {
  assert.equal((await usage('nope')).status, 401);
  const bad = await usage(s.apiKey, '?from=yesterday');
  assert.equal(bad.status, 400);
  const reversed = await usage(s.apiKey, '?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
  assert.equal(reversed.status, 400);
});
