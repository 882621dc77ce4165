import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFencing } from '../../../harness/sla/fencing.ts';
import { checkSlas } from '../../../harness/sla/index.ts';
import type { History } from '../../../harness/load/history.ts';
import { steady } from './helpers.ts';

/** A dispatch by `broker` under `epoch` at `t`, in queue shard `shard` (0 unless said). */
const d = (broker: string, epoch: number, t: number, shard = 0) => ({ broker, epoch, t, shard });

test('sequential epochs on different brokers are valid', () => {
  const r = checkFencing([d('b1', 5, 100), d('b1', 5, 200), d('b2', 6, 250), d('b2', 6, 300), d('b1', 7, 400)]);
  assert.equal(r.valid, true);
  assert.deepEqual(r.epochs.map((e) => [e.epoch, e.broker, e.dispatches]), [[5, 'b1', 2], [6, 'b2', 2], [7, 'b1', 1]]);
});

test('an old epoch dispatching after a newer one began is a violation', () => {
  const r = checkFencing([d('b1', 5, 100), d('b2', 6, 150), d('b1', 5, 160)]);
  assert.equal(r.valid, false);
  assert.match(r.violations[0]!, /epoch 5 .* after epoch 6/);
});

test('one epoch used by two brokers is a violation', () => {
  const r = checkFencing([d('b1', 5, 100), d('b2', 5, 110)]);
  assert.equal(r.valid, false);
});

test('no dispatches at all is unknown, never a pass', () => {
  assert.equal(checkFencing([]).valid, 'unknown');
});

test('two shards whose epoch numbers overlap are judged apart, and both pass', () => {
  // Shard 0's epoch 7 (b2) runs while shard 1's epochs 6 and 7 (b3, b4) come and go:
  // one split brain if the shards were one lock, none since each shard has its own.
  const r = checkFencing([d('b1', 6, 100, 0), d('b2', 7, 200, 0), d('b3', 6, 150, 1), d('b2', 7, 400, 0), d('b4', 7, 300, 1), d('b4', 7, 500, 1)], { shards: 2 });
  assert.equal(r.valid, true, r.violations.join('; '));
  assert.deepEqual(r.shards.map((s) => [s.shard, s.valid, s.epochs.map((e) => `${e.epoch}:${e.broker}`)]), [
    [0, true, ['6:b1', '7:b2']],
    [1, true, ['6:b3', '7:b4']],
  ]);
});

test('a violation in one shard fails the check and names that shard; the other shard still passes', () => {
  const r = checkFencing([d('b1', 3, 100, 0), d('b2', 4, 200, 0), d('b3', 8, 100, 1), d('b4', 9, 150, 1), d('b3', 8, 180, 1)], { shards: 2 });
  assert.equal(r.valid, false);
  assert.deepEqual(r.shards.map((s) => [s.shard, s.valid]), [[0, true], [1, false]]);
  assert.equal(r.violations.length, 1);
  assert.match(r.violations[0]!, /^shard 1: epoch 8 \(b3\) dispatched until 180, after epoch 9 \(b4\) began at 150/);
});

test('an expected shard that never dispatched is unknown and named, never a pass', () => {
  const r = checkFencing([d('b1', 2, 100, 0)], { shards: 2 });
  assert.equal(r.valid, 'unknown');
  assert.deepEqual(r.shards.map((s) => [s.shard, s.valid]), [[0, true], [1, 'unknown']]);
  assert.match(r.reason!, /^shard 1: no dispatches/);
});

test('a violation outweighs an unknown shard', () => {
  const r = checkFencing([d('b1', 2, 100, 0), d('b2', 2, 110, 0)], { shards: 2 });
  assert.equal(r.valid, false);
});

// The fencing checker over literal histories: the dispatch log is part of the history.

const withLog = (dispatchLog: History['dispatchLog'], shards = 1): History => ({ ...steady(5), settings: { topology: { kind: 'ha', shards } }, ...(dispatchLog ? { dispatchLog } : {}) });
const fencingRow = (h: History) => checkSlas(h, [{ metric: 'fencing' }]).results[0]!;
const ev = (broker: string, epoch: number, t: number, shard = 0) => ({ broker, shard, epoch, t });

test('fencing checker passes when each shard had one broker per epoch and the epochs never overlapped', () => {
  const r = fencingRow(withLog({ events: [ev('b1', 3, 100), ev('b1', 3, 900), ev('b2', 4, 1500), ev('b3', 2, 50, 1), ev('b3', 2, 2000, 1)] }, 2));
  assert.equal(r.valid, true, r.reason);
  assert.deepEqual(r.observed, { shards: [{ shard: 0, valid: true, epochs: 2, dispatches: 3 }, { shard: 1, valid: true, epochs: 1, dispatches: 2 }] });
});

test('fencing checker fails when an old leader dispatched after the new epoch began, naming the shard', () => {
  const r = fencingRow(withLog({ events: [ev('b1', 3, 100), ev('b2', 4, 1500), ev('b1', 3, 1600)] }));
  assert.equal(r.valid, false);
  assert.match(r.reason!, /shard 0: epoch 3 \(b1\) dispatched until 1600, after epoch 4 \(b2\) began at 1500/);
});

test('fencing checker is unknown without a dispatch log, with an unreadable one, or for a shard that never dispatched', () => {
  assert.equal(fencingRow(withLog(undefined)).valid, 'unknown');
  assert.match(fencingRow(withLog(undefined)).reason!, /no broker dispatch log/);
  const unreadable = fencingRow(withLog({ error: 'b2.log:7: not JSON' }, 2));
  assert.equal(unreadable.valid, 'unknown');
  assert.match(unreadable.reason!, /could not be read: b2.log:7: not JSON/);
  const silentShard = fencingRow(withLog({ events: [ev('b1', 3, 100)] }, 2));
  assert.equal(silentShard.valid, 'unknown', 'shard 1 of 2 never dispatched: nothing proved about it');
  assert.match(silentShard.reason!, /shard 1: no dispatches were logged/);
});
