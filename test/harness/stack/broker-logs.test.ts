/**
 * readDispatches: the broker's dispatch log line (one per dispatched frame, a batch of job
 * ids) becomes one dispatch event per job, with its shard; a dispatch line it cannot read
 * is an error with a code, never skipped, since it could be the overlap the checker looks for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDispatches, DispatchLogError } from '../../../harness/stack/broker-logs.ts';

/** Writes `lines` (objects as JSON, strings as they are) to a broker log file in a temp dir removed after the test. */
function logFile(t: { after(fn: () => void): void }, lines: Array<object | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nines-broker-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'broker-b3.log');
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return file;
}

const line = (o: object) => ({ level: 30, time: 1, module: 'dispatch', ...o });

test('a frame line gives one event per job id, with the shard and epoch of the line', (t) => {
  const file = logFile(t, [
    line({ event: 'dispatch', shard: 1, epoch: 7, worker: 'w1', jobIds: ['j1', 'j2'], t: 1000 }),
    line({ msg: 'worker gone, requeued', event: 'requeue' }), // same module, another event
    { module: 'election', msg: 'leader', epoch: 7 },
    line({ event: 'dispatch', shard: 1, epoch: 8, worker: 'w2', jobIds: ['j3'], t: 1010 }),
    '{"event":"dispatch","shard":1,"epo', // torn last line of a killed broker
  ]);
  assert.deepEqual(readDispatches(file, 'b3'), [
    { broker: 'b3', shard: 1, epoch: 7, t: 1000, jobId: 'j1' },
    { broker: 'b3', shard: 1, epoch: 7, t: 1000, jobId: 'j2' },
    { broker: 'b3', shard: 1, epoch: 8, t: 1010, jobId: 'j3' },
  ]);
});

test('a dispatch line without what the checker needs is ERR_DISPATCH_LOG naming the file and line', (t) => {
  for (const bad of [
    { event: 'dispatch', shard: 0, epoch: 7, jobIds: [], t: 1 }, // a frame of no jobs
    { event: 'dispatch', shard: 0, jobIds: ['j1'], t: 1 }, // no epoch
    { event: 'dispatch', shard: -1, epoch: 7, jobIds: ['j1'], t: 1 },
    { event: 'dispatch', shard: 0, epoch: '7', jobIds: ['j1'], t: 1 },
    { event: 'dispatch', epoch: 7, jobId: 'j1', t: 1 }, // one job per line and no shard, as brokers logged before batching
  ]) {
    const file = logFile(t, [line({ msg: 'up' }), line(bad)]);
    assert.throws(
      () => readDispatches(file, 'b1'),
      (err: unknown) => err instanceof DispatchLogError && err.code === 'ERR_DISPATCH_LOG' && err.message.includes(`${file}:2`),
      JSON.stringify(bad),
    );
  }
});

test('a broker that never logged (no file yet) has no dispatches', () => {
  assert.deepEqual(readDispatches(join(tmpdir(), 'nines-no-such-dir', 'broker.log'), 'b1'), []);
});
