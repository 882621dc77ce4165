/**
 * The claim check over the real stack: large images are fetched by the worker from the api
 * server's blob port instead of travelling through the broker; small ones ride in the job.
 * When the worker cannot reach the blob port the customer gets a fast 503 with Retry-After.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture, problemOf, resizeReq, startTestStack, type TestStack } from '../../helpers/stack.ts';
import { BlobStore } from '../../../system/api/blob-store.ts';
import { BufferPool } from '../../../system/lib/buffer-pool.ts';
import { metricSum } from '../../helpers/metrics.ts';

const large = fixture('flowers.jpeg'); // 85 KB: above the 64 KiB default
const small = fixture('concert.jpg'); // 24 KB: below it

let s: TestStack;
before(async () => {
  s = await startTestStack();
});
after(() => s?.dispose());

test('a large image is fetched by the worker from the api (claim check) and its result handed back there; a small one uses the broker', async () => {
  const okBefore = await metricSum(s.apiUrl, 'nines_api_blobs_served_total', 'outcome="ok"');
  const repliesBefore = await metricSum(s.apiUrl, 'nines_api_blobs_served_total', 'outcome="reply"');
  const r1 = await resizeReq(s, large, { query: 'width=100' });
  assert.equal(r1.status, 200);
  assert.equal((await r1.arrayBuffer()).byteLength > 0, true);
  assert.equal(await metricSum(s.apiUrl, 'nines_api_blobs_served_total', 'outcome="ok"'), okBefore + 1);
  assert.equal(await metricSum(s.apiUrl, 'nines_api_blobs_served_total', 'outcome="reply"'), repliesBefore + 1);
  const r2 = await resizeReq(s, small, { query: 'width=100' });
  assert.equal(r2.status, 200);
  await r2.arrayBuffer();
  assert.equal(await metricSum(s.apiUrl, 'nines_api_blobs_served_total', 'outcome="ok"'), okBefore + 1, 'the small image rode in the job');
});

test("the api acks a reply a worker handed it directly, so the broker frees the worker's credit without a worker ack", async () => {
  const acked = () => metricSum(s.brokerHttpUrl, 'nines_broker_jobs_total', 'outcome="acked"');
  const redelivered = () => metricSum(s.brokerHttpUrl, 'nines_broker_jobs_total', 'outcome="redelivered"');
  const [ackedBefore, redeliveredBefore] = [await acked(), await redelivered()];
  // One at a time: no submission follows within the ack delay, so each ack goes alone on
  // nines/jobs/acks; then a burst, where most ride on the next submission.
  for (let i = 0; i < 3; i++) {
    const r = await resizeReq(s, large, { query: 'width=50' });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  }
  const burst = await Promise.all(Array.from({ length: 8 }, () => resizeReq(s, large, { query: 'width=50' })));
  for (const r of burst) {
    assert.equal(r.status, 200);
    await r.arrayBuffer();
  }
  await new Promise((r) => setTimeout(r, 200)); // past the ack delay
  assert.equal(await acked(), ackedBefore + 11, 'every job acked once');
  assert.equal(await redelivered(), redeliveredBefore, 'and none redelivered for want of an ack');
  const status = (await (await fetch(`${s.brokerHttpUrl}/status`)).json()) as { inflight: number };
  assert.equal(status.inflight, 0, 'no credit left held');
});

test('many large images in flight at once each come back as themselves (pooled buffers are not mixed up)', async () => {
  const a = fixture('Landscape_1.jpg');
  const b = fixture('Portrait_1.jpg');
  const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => resizeReq(s, i % 2 ? a : b, { query: 'width=60' })));
  for (const [i, r] of rs.entries()) {
    assert.equal(r.status, 200);
    // Landscape is wider than tall, portrait taller than wide (both upright per EXIF).
    const w = Number(r.headers.get('x-nines-width'));
    const h = Number(r.headers.get('x-nines-height'));
    await r.arrayBuffer();
    assert.equal(w, 60);
    assert.ok(i % 2 ? h < w : h > w, `request ${i}: ${w}x${h}`);
  }
});

test('an unreachable blob port gives a fast 503 with Retry-After; small images still work', async () => {
  const bad = await startTestStack({ workers: 1, env: { api: { NINES_API_BLOB_URL: 'http://127.0.0.1:1' } } });
  try {
    const started = performance.now();
    const r = await resizeReq(bad, large);
    const p = await problemOf(r);
    assert.equal(r.status, 503);
    assert.equal(p.code, 'ERR_BLOB_UNREACHABLE');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.ok(performance.now() - started < 3000, 'refused, not left to the 5 s deadline');
    assert.equal((await resizeReq(bad, small)).status, 200);
  } finally {
    await bad.dispose();
  }
});

test('the blob port serves a claim only with its token, and only while the job is pending', async () => {
  const pool = new BufferPool(1 << 20);
  const store = new BlobStore(pool, '');
  const server = createServer(store.handler).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  store.setBaseUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const body = pool.acquire(large.length);
    large.copy(body);
    const claim = store.put('job-1', body);
    assert.equal(claim.bytes, large.length);
    const wrong = await fetch(claim.url, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('content-type'), 'application/problem+json');
    await wrong.arrayBuffer();
    const none = await fetch(claim.url);
    assert.equal(none.status, 401);
    await none.arrayBuffer();
    const ok = await fetch(claim.url, { headers: { authorization: `Bearer ${claim.token}` } });
    assert.equal(ok.status, 200);
    assert.ok(Buffer.from(await ok.arrayBuffer()).equals(large));
    store.remove('job-1');
    const gone = await fetch(claim.url, { headers: { authorization: `Bearer ${claim.token}` } });
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { code: string }).code, 'ERR_BLOB_GONE');
    pool.release(body);
    assert.equal(pool.outstanding, 0, 'every hold on the image was given back');
  } finally {
    server.close();
  }
});
