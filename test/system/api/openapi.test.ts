/**
 * Keeps the OpenAPI document true: it documents exactly the routes the app serves, and the
 * statuses and media types that real requests get back are the documented ones.
 */
import { BufferPool } from '../../../system/lib/buffer-pool.ts';
import { frameAllocator } from '../../../system/api/body.ts';
import { BlobStore } from '../../../system/api/blob-store.ts';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildApiApp } from '../../../system/api/app.ts';
import { apiMetrics } from '../../../system/api/metrics.ts';
import { JobClient } from '../../../system/api/job-client.ts';
import { ShardedJobs } from '../../../system/api/shards.ts';
import { queueMetrics } from '../../../system/api/queue-metrics.ts';
import { UsageBatcher } from '../../../system/api/usage-batcher.ts';
import { IdentityReplica } from '../../../system/identity/replica.ts';
import { loadApiConfig } from '../../../system/lib/config.ts';
import { openapi } from '../../../system/api/openapi.ts';
import { fixture, problemOf, resizeReq, startTestStack, type TestStack } from '../../helpers/stack.ts';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
const doc = openapi as unknown as Doc;

test('the document lists exactly the routes the app serves', async () => {
  const log = pino({ level: 'silent' });
  const registry = new Registry();
  const config = loadApiConfig({ NINES_MQTT_SECRET: 'x'.repeat(16), NINES_SERVICE_TOKEN: 'y'.repeat(16) });
  // Real objects, never connected: only the router's shape is inspected here.
  const client = mqtt.connect('mqtt://127.0.0.1:1', { manualConnect: true });
  const identity = new IdentityReplica({ identityUrl: config.identityUrl, serviceToken: config.serviceToken, log, registry });
  const pool = new BufferPool(0);
  const batcher = new UsageBatcher(client, { apiId: 'a', maxRecords: 1, maxAgeMs: 1, resendMs: 1000, maxPendingRecords: 10 }, log, registry);
  const app = buildApiApp({ config, log, registry, metrics: apiMetrics(registry), identity, jobs: new ShardedJobs([new JobClient(client, log, queueMetrics(registry), { shard: 0, retryAfterS: 1 })]), batcher, frames: frameAllocator(pool, 1024), blobs: new BlobStore(pool, 'http://127.0.0.1:1') });
  batcher.close();
  const stack = (app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  const served = stack
    .filter((l) => l.route)
    .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`))
    .sort();
  const documented = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  assert.deepEqual(served, documented);
});

let s: TestStack;
before(async () => {
  s = await startTestStack();
});
after(() => s?.dispose());

test('real responses of POST /v1/resize use documented statuses and media types', async () => {
  const limited = await s.admin.createTenant({ name: 'limited', ratePerSec: 1, burst: 1 });
  const responses = [
    await resizeReq(s, fixture('flowers.jpeg'), { query: 'width=10&format=webp' }),
    await resizeReq(s, fixture('flowers.jpeg'), { query: 'width=0' }),
    await resizeReq(s, fixture('flowers.jpeg'), { key: null }),
    await resizeReq(s, Buffer.alloc(8 * 1024 * 1024 + 1)),
    await resizeReq(s, fixture('flowers.jpeg'), { contentType: 'text/plain' }),
    await resizeReq(s, fixture('truncated.jpg')),
    await resizeReq(s, fixture('concert.jpg'), { key: limited.apiKey }),
    await resizeReq(s, fixture('concert.jpg'), { key: limited.apiKey }),
  ];
  const op = doc.paths['/v1/resize']!.post!;
  const seen = new Set<string>();
  for (const r of responses) {
    const status = String(r.status);
    seen.add(status);
    const documented = op.responses[status];
    assert.ok(documented, `status ${status} is documented`);
    const type = (r.headers.get('content-type') ?? '').split(';')[0]!;
    assert.ok(Object.keys(documented.content ?? {}).includes(type), `${status} ${type} is a documented media type`);
    if (r.status >= 400) {
      const p = await problemOf(r);
      for (const k of ['type', 'title', 'status', 'detail', 'code']) assert.ok(k in p, `problem has ${k}`);
    } else await r.arrayBuffer();
  }
  assert.deepEqual([...seen].sort(), ['200', '400', '401', '413', '415', '422', '429']);
  const rateLimited = responses.at(-1)!;
  assert.ok(Number(rateLimited.headers.get('retry-after')) >= 1);
});

test('GET /v1/usage and the operational routes answer as documented', async () => {
  for (const [path, key] of [['/v1/usage', s.apiKey], ['/v1/usage', 'bad'], ['/healthz', ''], ['/readyz', ''], ['/metrics', ''], ['/openapi.json', '']] as const) {
    const r = await fetch(`${s.apiUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    await r.arrayBuffer();
    assert.ok(doc.paths[path]!.get!.responses[String(r.status)], `${path} ${r.status} is documented`);
  }
});
