/**
 * The job queue's rules, on the domain object alone (the e2e tests cover it over MQTT).
 * Time is the only thing faked: the clock is a variable, and the dispatch pass runs at once
 * instead of at setImmediate, unless a test batches on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobQueue } from '../../../system/broker/queue.ts';
import type { JobHeader } from '../../../system/lib/jobs.ts';
import { fakeIntervals } from '../../helpers/intervals.ts';

const w = (id: string) => ({ role: 'worker' as const, id });
const api = (id: string) => ({ role: 'api' as const, id });

function harness(opts: { maxLength?: number; jobTimeoutMs?: number; maxAttempts?: number; workerGraceMs?: number; deferred?: boolean } = {}) {
  const sent: Array<[string, string]> = [];
  const frames: Array<[string, string[]]> = [];
  const refused: Array<[string, string]> = [];
  const expired: string[] = [];
  const passes: Array<() => void> = [];
  let now = 1_000;
  const q = new JobQueue(
    {
      maxLength: opts.maxLength ?? 10,
      jobTimeoutMs: opts.jobTimeoutMs ?? 1000,
      maxAttempts: opts.maxAttempts ?? 3,
      workerGraceMs: opts.workerGraceMs ?? 0,
      now: () => now,
      defer: opts.deferred ? (f) => passes.push(f) : (f) => f(),
    },
    {
      send: (wid, jobs) => {
        frames.push([wid, jobs.map((j) => j.header.jobId)]);
        for (const j of jobs) sent.push([wid, j.header.jobId]);
      },
      refuse: (j, why) => refused.push([j.header.jobId, why]),
    },
    { onExpired: (j) => expired.push(j.header.jobId) },
  );
  const job = (jobId: string, deadline = 1e12): JobHeader => ({ jobId, tenantId: 't', replyTo: 'a1', deadline, params: { fit: 'cover', format: 'jpeg', width: 1 } });
  const submit = (...ids: string[]) => ids.forEach((id) => q.submit(job(id), Buffer.alloc(1)));
  const runPasses = () => passes.splice(0).forEach((f) => f());
  return { q, sent, frames, refused, expired, job, submit, runPasses, advance: (ms: number) => (now += ms) };
}

test('jobs are dispatched FIFO, only against credit the worker granted', () => {
  const h = harness();
  h.q.credit('w1', 2, true);
  h.submit('a', 'b', 'c', 'd');
  assert.deepEqual(h.sent, [['w1', 'a'], ['w1', 'b']]);
  assert.equal(h.q.length, 2);
  assert.equal(h.q.ack(w('w1'), 'a'), true);
  assert.equal(h.sent.length, 2, 'an ack settles the job; it does not grant credit');
  h.q.credit('w1', 1);
  assert.deepEqual(h.sent.at(-1), ['w1', 'c']);
  h.q.credit('w2', 1, true);
  assert.deepEqual(h.sent.at(-1), ['w2', 'd']);
  assert.equal(h.q.length, 0);
});

test('jobs queued in one turn leave for a worker in one frame, as many as its credit', () => {
  const h = harness({ deferred: true });
  h.q.credit('w1', 3, true);
  h.submit('a', 'b', 'c', 'd');
  assert.deepEqual(h.frames, [], 'nothing leaves before the dispatch pass');
  h.runPasses();
  assert.deepEqual(h.frames, [['w1', ['a', 'b', 'c']]]);
  h.q.credit('w1', 5);
  h.runPasses();
  assert.deepEqual(h.frames.at(-1), ['w1', ['d']]);
});

test('a full queue and a queue with no worker refuse at once', () => {
  const h = harness({ maxLength: 1 });
  h.submit('x');
  assert.deepEqual(h.refused, [['x', 'no_workers']]);
  h.q.credit('w1', 1, true);
  h.submit('a', 'b', 'c'); // a dispatched, b queued, c over the bound
  assert.deepEqual(h.refused.at(-1), ['c', 'queue_full']);
  assert.equal(h.q.length, 1);
});

test("a lost worker's jobs go back to the head of the queue, in order", () => {
  const h = harness();
  h.q.credit('w1', 2, true);
  h.submit('a', 'b', 'c');
  h.q.workerLost('w1');
  h.q.credit('w2', 3, true);
  assert.deepEqual(h.sent.slice(2).map(([, j]) => j), ['a', 'b', 'c']);
});

test('a reset grant takes back what the worker held (it reconnected holding nothing)', () => {
  const h = harness();
  h.q.credit('w1', 2, true);
  h.submit('a', 'b');
  h.q.credit('w1', 1, true);
  assert.deepEqual(h.sent.map(([, j]) => j), ['a', 'b', 'a']);
  assert.equal(h.q.inflight, 1);
});

test('an unacked job is redelivered by the sweep after the timeout, and failed after maxAttempts', () => {
  const h = harness({ jobTimeoutMs: 1000, maxAttempts: 2 });
  h.q.credit('w1', 2, true);
  h.submit('a');
  h.advance(999);
  h.q.sweep();
  assert.equal(h.sent.length, 1, 'not before its time');
  h.advance(1);
  h.q.sweep();
  assert.deepEqual(h.sent, [['w1', 'a'], ['w1', 'a']]);
  h.advance(1000);
  h.q.sweep();
  assert.deepEqual(h.refused, [['a', 'too_many_attempts']]);
  assert.equal(h.q.inflight, 0);
});

test('the sweep redelivers the timed-out jobs oldest first and leaves the younger ones', () => {
  const h = harness({ jobTimeoutMs: 1000 });
  h.q.credit('w1', 3, true);
  h.submit('a', 'b');
  h.advance(500);
  h.submit('c');
  h.advance(500);
  h.q.credit('w2', 3, true);
  h.q.sweep();
  assert.deepEqual(h.sent.slice(3), [['w2', 'a'], ['w2', 'b']]);
  assert.equal(h.q.inflight, 3);
});

test('a job past its deadline is dropped, not dispatched', () => {
  const h = harness();
  h.q.credit('w1', 1, true);
  h.submit('a');
  h.q.submit(h.job('late', 1_500), Buffer.alloc(1));
  h.submit('b');
  h.advance(1_000);
  h.q.credit('w1', 1);
  assert.deepEqual(h.expired, ['late']);
  assert.deepEqual(h.sent.map(([, j]) => j), ['a', 'b']);
});

test('only the holding worker or the job\'s own api server can ack it, once', () => {
  const h = harness();
  h.q.credit('w1', 1, true);
  h.q.credit('w2', 1, true);
  h.submit('a', 'b');
  assert.deepEqual(h.sent, [['w1', 'a'], ['w2', 'b']]);
  assert.equal(h.q.ack(api('a2'), 'b'), false, 'a2 did not submit b');
  assert.equal(h.q.ack(w('w1'), 'b'), false, 'w1 does not hold b');
  assert.equal(h.q.ack({ role: 'usage', id: 'a1' }, 'b'), false);
  assert.equal(h.q.inflight, 2);
  assert.equal(h.q.ack(api('a1'), 'b'), true);
  assert.equal(h.q.ack(api('a1'), 'b'), false, 'a second ack changes nothing');
  assert.equal(h.q.ack(w('w1'), 'nope'), false);
  assert.equal(h.q.inflight, 1);
});

test('within the worker grace period jobs are queued, not refused, while no worker is connected', () => {
  const h = harness({ workerGraceMs: 2000 });
  h.submit('a');
  assert.deepEqual(h.refused, []);
  h.q.credit('w1', 1, true);
  assert.deepEqual(h.sent, [['w1', 'a']]);
  h.q.workerLost('w1');
  h.advance(2000);
  h.submit('b');
  assert.deepEqual(h.refused, [['b', 'no_workers']]);
});

test('the timeout sweep is armed only while jobs are in flight: an idle broker keeps no timer', (t) => {
  const timers = fakeIntervals(t);
  const h = harness({ jobTimeoutMs: 1000 });
  h.q.credit('w1', 1, true);
  assert.equal(timers.armed, 0, 'nothing in flight, nothing to time out');
  h.submit('a');
  assert.equal(timers.armed, 1, 'armed by the dispatch');
  h.advance(1000);
  timers.fire();
  assert.equal(h.q.length, 1, 'the armed sweep redelivered the timed-out job (no credit left: it waits queued)');
  timers.fire();
  assert.equal(timers.armed, 0, 'disarmed once nothing is in flight');
  h.q.credit('w1', 1);
  assert.equal(timers.armed, 1, 'armed again by the next dispatch');
  h.q.ack(w('w1'), 'a');
  timers.fire();
  assert.equal(timers.armed, 0);
});
