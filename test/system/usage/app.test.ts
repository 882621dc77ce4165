import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { listen } from '../../../system/lib/http/server.ts';
import { buildUsageApp } from '../../../system/usage/app.ts';
import { openStore } from '../../../system/usage/store.ts';
import type { UsageRecord, UsageReport } from '../../../system/usage/types.ts';
import { batch, record, silentLog, tempDir } from './helpers.ts';

const TOKEN = 'service-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

async function setup(t: TestContext) {
  const store = openStore(join(tempDir(t), 'usage.db'));
  const registry = new Registry();
  const app = buildUsageApp({ config: { serviceToken: TOKEN }, store, log: silentLog, registry });
  const http = await listen(app, '127.0.0.1', 0);
  t.after(async () => {
    await http.close();
    store.close();
  });
  const get = (path: string, headers: Record<string, string> = auth) => fetch(http.url + path, { headers });
  return { store, get };
}

async function problem(res: Response, status: number, code: string) {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as { status: number; code: string };
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  return body;
}

test('usage queries need the service token', async (t) => {
  const { get } = await setup(t);
  await problem(await get('/internal/usage?tenantId=A', {}), 401, 'ERR_UNAUTHORIZED');
  await problem(await get('/internal/usage?tenantId=A', { authorization: 'Bearer wrong-token-0123456789' }), 401, 'ERR_UNAUTHORIZED');
  await problem(await get('/internal/usage?tenantId=A', { authorization: TOKEN }), 401, 'ERR_UNAUTHORIZED');
  await problem(await get('/internal/records?tenantId=A', {}), 401, 'ERR_UNAUTHORIZED');
  assert.equal((await get('/internal/usage?tenantId=A')).status, 200);
});

test('bad parameters and dates are refused with 400', async (t) => {
  const { get } = await setup(t);
  await problem(await get('/internal/usage'), 400, 'ERR_VALIDATION');
  await problem(await get('/internal/usage?tenantId=A&from=yesterday'), 400, 'ERR_VALIDATION');
  await problem(await get('/internal/usage?tenantId=A&to=2026-13-40T00:00:00Z'), 400, 'ERR_VALIDATION');
  await problem(await get('/internal/usage?tenantId=A&tenantId=B'), 400, 'ERR_VALIDATION');
  await problem(await get('/internal/usage?tenantId=A&form=2026-11-26T00:00:00Z'), 400, 'ERR_VALIDATION');
  const from = '2026-11-26T00:00:00Z';
  await problem(await get(`/internal/usage?tenantId=A&from=${from}&to=${from}`), 400, 'ERR_INVALID_RANGE');
  await problem(await get(`/internal/usage?tenantId=A&from=2026-11-27T00:00:00Z&to=${from}`), 400, 'ERR_INVALID_RANGE');
  await problem(await get(`/internal/usage?tenantId=A&from=2025-11-24T00:00:00Z&to=${from}`), 400, 'ERR_INVALID_RANGE');
  // Exactly 366 days is allowed.
  assert.equal((await get(`/internal/usage?tenantId=A&from=2025-11-25T00:00:00Z&to=${from}`)).status, 200);
  await problem(await get('/internal/records?tenantId=A&limit=0'), 400, 'ERR_VALIDATION');
  await problem(await get('/internal/records?tenantId=A&limit=1001'), 400, 'ERR_VALIDATION');
  await problem(await get('/internal/records?tenantId=A&limit=ten'), 400, 'ERR_VALIDATION');
});

test('a query for tenant A never includes tenant B', async (t) => {
  const { store, get } = await setup(t);
  store.ingest(
    batch('b', [
      record({ tenantId: 'A', at: '2026-11-26T04:10:00Z', inputBytes: 5 }),
      record({ tenantId: 'A', at: '2026-11-26T06:10:00Z', inputBytes: 7, status: 500 }),
      record({ tenantId: 'B', at: '2026-11-26T04:20:00Z', inputBytes: 1000 }),
    ]),
  );
  const res = await get('/internal/usage?tenantId=A&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z');
  assert.equal(res.status, 200);
  const rep = (await res.json()) as UsageReport;
  assert.equal(rep.tenantId, 'A');
  assert.equal(rep.from, '2026-11-26T00:00:00.000Z');
  assert.deepEqual(rep.totals, { requests: 2, succeeded: 1, failed: 1, inputBytes: 12, outputBytes: 40_000, cpuMs: 17 });
  assert.deepEqual(rep.hours.map((h) => h.hour), ['2026-11-26T04:00:00.000Z', '2026-11-26T06:00:00.000Z']);

  const recs = (await (await get('/internal/records?tenantId=A')).json()) as { records: UsageRecord[] };
  assert.deepEqual(recs.records.map((r) => [r.tenantId, r.inputBytes]), [['A', 7], ['A', 5]]);
  const one = (await (await get('/internal/records?tenantId=A&limit=1')).json()) as { records: UsageRecord[] };
  assert.equal(one.records.length, 1);
});

test('from and to default to the last 24 hours', async (t) => {
  const { store, get } = await setup(t);
  const now = Date.now();
  store.ingest(batch('recent', [record({ tenantId: 'A', at: new Date(now - 2 * 3_600_000).toISOString() })]));
  store.ingest(batch('old', [record({ tenantId: 'A', at: new Date(now - 48 * 3_600_000).toISOString() })]));
  const rep = (await (await get('/internal/usage?tenantId=A')).json()) as UsageReport;
  assert.equal(rep.totals.requests, 1);
  const span = Date.parse(rep.to) - Date.parse(rep.from);
  assert.equal(span, 24 * 3_600_000);
  assert.ok(Math.abs(Date.parse(rep.to) - now) < 60_000);
});

test('health, metrics and unknown routes', async (t) => {
  const { get } = await setup(t);
  const health = await get('/healthz', {});
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const metrics = await get('/metrics', {});
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
  await problem(await get('/nope'), 404, 'ERR_NOT_FOUND');
  await problem(await get('/internal/usage', {}), 401, 'ERR_UNAUTHORIZED');
});
