import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFencing } from '../../../harness/sla/fencing.ts';

test('sequential epochs on different brokers are valid', () => {
  const r = checkFencing([
    { broker: 'b1', epoch: 5, t: 100 },
    { broker: 'b1', epoch: 5, t: 200 },
    { broker: 'b2', epoch: 6, t: 250 },
    { broker: 'b2', epoch: 6, t: 300 },
    { broker: 'b1', epoch: 7, t: 400 },
  ]);
  assert.equal(r.valid, true);
  assert.deepEqual(r.epochs.map((e) => [e.epoch, e.broker, e.dispatches]), [[5, 'b1', 2], [6, 'b2', 2], [7, 'b1', 1]]);
});

test('an old epoch dispatching after a newer one began is a violation', () => {
  const r = checkFencing([
    { broker: 'b1', epoch: 5, t: 100 },
    { broker: 'b2', epoch: 6, t: 150 },
    { broker: 'b1', epoch: 5, t: 160 },
  ]);
  assert.equal(r.valid, false);
  assert.match(r.violations[0]!, /epoch 5 .* after epoch 6/);
});

test('one epoch used by two brokers is a violation', () => {
  const r = checkFencing([
    { broker: 'b1', epoch: 5, t: 100 },
    { broker: 'b2', epoch: 5, t: 110 },
  ]);
  assert.equal(r.valid, false);
});

test('no dispatches at all is unknown, never a pass', () => {
  assert.equal(checkFencing([]).valid, 'unknown');
});
