/**
 * Faults around the queue, over the real stack: a worker SIGKILLed mid-job, a full queue,
 * a worker that stops answering (deadline), and a dead broker. Accepted work is answered
 * or refused fast with Retry-After; nothing hangs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { eventually, fixture, problemOf, resizeReq, startTestStack, type TestStack } from '../../helpers/stack.ts';
import { metricSum } from '../../helpers/metrics.ts';

let s: TestStack;
// ~2.5 s of CPU on this machine: long enough to act on a job while it runs.
const SLOW = 'width=2400&format=avif';
const big = () => fixture('2569067123_aca715a2ee_o.jpg');

before(async () => {
  // One job at a time and no prefetch, so "in flight" and "queued" are exact.
  s = await startTestStack({ workers: 1, workerConcurrency: 1, env: { broker: { NINES_QUEUE_MAX: '2' }, api: { NINES_API_DEADLINE_MS: '10000' }, worker: { NINES_WORKER_PREFETCH: '0' } } });
});
after(() => s?.dispose());

interface BrokerStatus {
  queued: number;
  inflight: number;
  workers: number;
}
const status = async () => (await (await fetch(`${s.brokerHttpUrl}/status`)).json()) as BrokerStatus;
const until = (pred: (st: BrokerStatus) => boolean) => eventually(async () => ((st) => (pred(st) ? st : undefined))(await status()), 15_000, 10);

test('a worker SIGKILLed in the middle of a job does not lose the request', async () => {
  const pending = resizeReq(s, big(), { query: SLOW });
  await until((st) => st.inflight === 1);
  await s.workers[0]!.kill();
  await until((st) => st.workers === 0 && st.queued === 1); // back at the head of the queue
  await s.addWorker();
  const r = await pending;
  assert.equal(r.status, 200);
  const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
  assert.equal(meta.width, 2400);
  assert.ok((await metricSum(s.brokerHttpUrl, 'nines_broker_jobs_total', 'outcome="redelivered"')) >= 1);
});

test('a full queue refuses at once with 503 and Retry-After, and the accepted work completes', async () => {
  const order: string[] = [];
  const first = resizeReq(s, big(), { query: SLOW }).then((r) => (order.push('first-done'), r));
  await until((st) => st.inflight === 1);
  const queued = [resizeReq(s, big(), { query: 'width=600' }), resizeReq(s, big(), { query: 'width=600' })];
  await until((st) => st.queued === 2);
  const refused = await Promise.all([1, 2, 3].map(() => resizeReq(s, big(), { query: 'width=600' })));
  order.push('refusals-done');
  for (const r of refused) {
    assert.equal(r.status, 503);
    assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After is set');
    assert.equal((await problemOf(r)).code, 'ERR_QUEUE_FULL');
  }
  const done = await Promise.all([first, ...queued]);
  assert.deepEqual(done.map((r) => r.status), [200, 200, 200]);
  assert.deepEqual(order, ['refusals-done', 'first-done'], 'refusals came back while the first job still ran');
});

test('a worker that stops answering gives 504 at the deadline, not a hang', async () => {
  const w = s.workers.at(-1)!;
  w.pause();
  try {
    const r = await resizeReq(s, fixture('concert.jpg'), { query: 'width=100' });
    assert.equal(r.status, 504);
    assert.equal((await problemOf(r)).code, 'ERR_DEADLINE');
  } finally {
    w.resume();
  }
});

test('with no broker, requests get a fast 503 with Retry-After and readiness fails', async () => {
  await s.broker.kill();
  await eventually(async () => ((await fetch(`${s.apiUrl}/readyz`)).status === 503 ? true : undefined), 5000, 20);
  const r = await resizeReq(s, fixture('concert.jpg'), { query: 'width=100' });
  assert.equal(r.status, 503);
  assert.ok(r.headers.get('retry-after'));
  assert.equal((await problemOf(r)).code, 'ERR_NO_BROKER');
});
