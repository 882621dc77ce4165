import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, medianInterval } from '../../bench/stats.ts';

test('median: the middle sample, or the mean of the middle two', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('medianInterval: order statistics at the coverage the binomial gives them', () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => n - i); // unsorted on purpose
  // Published values of the sign-test interval: n = 8 reaches 95 % only as [min, max]
  // (1 - 2/256), n = 9 as [2nd, 8th], n = 12 as [3rd, 10th], n = 20 as [6th, 15th].
  assert.deepEqual(medianInterval(ranks(8)), { low: 1, high: 8, confidence: 1 - 2 / 256 });
  assert.deepEqual(medianInterval(ranks(9)), { low: 2, high: 8, confidence: 1 - 2 * (10 / 512) });
  assert.deepEqual(medianInterval(ranks(12)), { low: 3, high: 10, confidence: 1 - 2 * (79 / 4096) });
  const twenty = medianInterval(ranks(20));
  assert.deepEqual([twenty.low, twenty.high], [6, 15]);
  assert.ok(twenty.confidence >= 0.95 && twenty.confidence < 0.96);
});

test('medianInterval: too few samples for the level give [min, max] and say how little it covers', () => {
  assert.deepEqual(medianInterval([0.9, 0.7, 0.8]), { low: 0.7, high: 0.9, confidence: 0.75 });
  assert.equal(medianInterval([5]).confidence, 0);
  assert.throws(() => medianInterval([]), RangeError);
});

test('medianInterval: a lower level narrows the interval', () => {
  const xs = Array.from({ length: 12 }, (_, i) => i + 1);
  const wide = medianInterval(xs, 0.99);
  const narrow = medianInterval(xs, 0.8);
  assert.ok(wide.low < narrow.low && narrow.high < wide.high);
  assert.ok(wide.confidence >= 0.99 && narrow.confidence >= 0.8);
});
