/**
 * The job queue's rules, on the domain object alone (the e2e tests cover it over MQTT).
 * Time is the only thing faked: node:test's mock timers drive the ack timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobQueue, type QueuedJob } from '../../../system/broker/queue.ts';
import type { JobHeader } from '../../../system/lib/jobs.ts';

function harness(opts: { maxLength?: number; jobTimeoutMs?: number; maxAttempts?: number; workerGraceMs?: number } = {}) {
  const sent: Array<[string, string]> = [];
  const refused: Array<[string, string]> = [];
  const expired: string[] = [];
  let now = 1_000;
  const q = new JobQueue(
    { maxLength: opts.maxLength ?? 10, jobTimeoutMs: opts.jobTimeoutMs ?? 1000, maxAttempts: opts.maxAttempts ?? 3, workerGraceMs: opts.workerGraceMs ?? 0, now: () => now },
    { send: (w, j: QueuedJob) => sent.push([w, j.header.jobId]), refuse: (j, why) => refused.push([j.header.jobId, why]) },
    { onExpired: (j) => expired.push(j.header.jobId) },
  );
  const job = (jobId: string, deadline = 1e12): JobHeader => ({ jobId, tenantId: 't', replyTo: 'a1', deadline, params: { fit: 'cover', format: 'jpeg', width: 1 } });
  return { q, sent, refused, expired, job, advance: (ms: number) => (now += ms) };
}

test('jobs are dispatched FIFO, only to workers with free credit', () => {
  const h = harness();
  h.q.workerReady('w1', 2);
  for (const id of ['a', 'b', 'c', 'd']) h.q.submit(h.job(id), Buffer.alloc(1));
  assert.deepEqual(h.sent, [['w1', 'a'], ['w1', 'b']]);
  assert.equal(h.q.length, 2);
  h.q.ack('w1', 'a');
  assert.deepEqual(h.sent.at(-1), ['w1', 'c']);
  h.q.workerReady('w2', 1);
  assert.deepEqual(h.sent.at(-1), ['w2', 'd']);
  assert.equal(h.q.length, 0);
});

test('a full queue and a queue with no worker refuse at once', () => {
  const h = harness({ maxLength: 1 });
  h.q.submit(h.job('x'), Buffer.alloc(1));
  assert.deepEqual(h.refused, [['x', 'no_workers']]);
  h.q.workerReady('w1', 1);
  h.q.submit(h.job('a'), Buffer.alloc(1)); // dispatched
  h.q.submit(h.job('b'), Buffer.alloc(1)); // queued
  h.q.submit(h.job('c'), Buffer.alloc(1)); // over the bound
  assert.deepEqual(h.refused.at(-1), ['c', 'queue_full']);
  assert.equal(h.q.length, 1);
});

test("a lost worker's jobs go back to the head of the queue, in order", () => {
  const h = harness();
  h.q.workerReady('w1', 2);
  for (const id of ['a', 'b', 'c']) h.q.submit(h.job(id), Buffer.alloc(1));
  h.q.workerLost('w1');
  h.q.workerReady('w2', 3);
  assert.deepEqual(h.sent.slice(2).map(([, j]) => j), ['a', 'b', 'c']);
});

test('an unacked job is redelivered after the timeout, and failed after maxAttempts', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness({ jobTimeoutMs: 1000, maxAttempts: 2 });
  h.q.workerReady('w1', 1);
  h.q.submit(h.job('a'), Buffer.alloc(1));
  t.mock.timers.tick(1000);
  assert.deepEqual(h.sent, [['w1', 'a'], ['w1', 'a']]);
  t.mock.timers.tick(1000);
  assert.deepEqual(h.refused, [['a', 'too_many_attempts']]);
  assert.equal(h.q.inflight, 0);
});

test('a job past its deadline is dropped, not dispatched', () => {
  const h = harness();
  h.q.workerReady('w1', 1);
  h.q.submit(h.job('a'), Buffer.alloc(1));
  h.q.submit(h.job('late', 1_500), Buffer.alloc(1));
  h.q.submit(h.job('b'), Buffer.alloc(1));
  h.advance(1_000);
  h.q.ack('w1', 'a');
  assert.deepEqual(h.expired, ['late']);
  assert.deepEqual(h.sent.map(([, j]) => j), ['a', 'b']);
});

test('an ack for an unknown job changes nothing', () => {
  const h = harness();
  h.q.workerReady('w1', 1);
  assert.equal(h.q.ack('w1', 'nope'), false);
  assert.equal(h.q.ack('w9', 'nope'), false);
});

test("the job's own api server can ack it for the worker that holds it; no other api can", () => {
  const h = harness();
  h.q.workerReady('w1', 1);
  h.q.workerReady('w2', 1);
  for (const id of ['a', 'b', 'c']) h.q.submit(h.job(id), Buffer.alloc(1));
  assert.deepEqual(h.sent, [['w1', 'a'], ['w2', 'b']]);
  assert.equal(h.q.ackByApi('a2', 'b'), false, 'a2 did not submit b');
  assert.equal(h.q.inflight, 2);
  assert.equal(h.q.ackByApi('a1', 'b'), true);
  assert.deepEqual(h.sent.at(-1), ['w2', 'c'], "w2's credit came back and c went there");
  assert.equal(h.q.ackByApi('a1', 'b'), false, 'a second ack changes nothing');
  assert.equal(h.q.ackByApi('a1', 'nope'), false);
});

test('within the worker grace period jobs are queued, not refused, while no worker is connected', () => {
  const h = harness({ workerGraceMs: 2000 });
  h.q.submit(h.job('a'), Buffer.alloc(1));
  assert.deepEqual(h.refused, []);
  h.q.workerReady('w1', 1);
  assert.deepEqual(h.sent, [['w1', 'a']]);
  h.q.workerLost('w1');
  h.advance(2000);
  h.q.submit(h.job('b'), Buffer.alloc(1));
  assert.deepEqual(h.refused, [['b', 'no_workers']]);
});
