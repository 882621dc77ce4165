import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failuresByKind, percentilesOverTime, sizeClasses, throughputOverTime, totals } from '../../../harness/sla/series.ts';
import { history, second } from './helpers.ts';

const run = history([
  second(0, { ok: 100, latency: { all: [[5, 50], [20, 40], [300, 10]], lt1mb: [[5, 50]] } }),
  second(1, { ok: 0, failed: { timeout: 3, http_503: 7 }, dropped: 4, latency: { all: [[1000, 10]] } }),
  second(2, { dropped: 2 }),
]);

test('percentilesOverTime gives per-second p50/p90/p99/max in ms, null without samples', () => {
  const p = percentilesOverTime(run);
  assert.equal(p.length, 3);
  const s0 = p[0]!;
  assert.equal(s0.count, 100);
  assert.ok(Math.abs(s0.p50! - 5) < 0.01);
  assert.ok(Math.abs(s0.p90! - 20) < 0.02);
  assert.ok(Math.abs(s0.p99! - 300) < 0.3);
  assert.ok(Math.abs(s0.max! - 300) < 0.3);
  assert.ok(Math.abs(p[1]!.p99! - 1000) < 1);
  assert.deepEqual(p[2], { t: 2, count: 0, p50: null, p90: null, p99: null, max: null });
  assert.equal(percentilesOverTime(run, 'lt1mb')[1]!.count, 0);
});

test('throughputOverTime, totals and failures by kind', () => {
  assert.deepEqual(throughputOverTime(run), [
    { t: 0, ok: 100, failed: 0, dropped: 0 },
    { t: 1, ok: 0, failed: 10, dropped: 4 },
    { t: 2, ok: 0, failed: 0, dropped: 2 },
  ]);
  assert.deepEqual(totals(run.seconds), { ok: 100, failed: 10, dropped: 6, completed: 110, scheduled: 116 });
  assert.deepEqual(Object.entries(failuresByKind(run.seconds)), [
    ['http_503', 7],
    ['timeout', 3],
  ]);
  assert.deepEqual(sizeClasses(run), ['all', 'lt1mb']);
});
