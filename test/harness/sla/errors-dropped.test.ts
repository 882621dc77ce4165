import { test } from 'node:test';
import assert from 'node:assert/strict';
import { droppedChecker } from '../../../harness/sla/checkers/dropped.ts';
import { errorsChecker } from '../../../harness/sla/checkers/errors.ts';
import { parseSlas, type DroppedSla, type ErrorsSla } from '../../../harness/sla/spec.ts';
import { history, seconds } from './helpers.ts';

const errors = (threshold: string) => errorsChecker(parseSlas([{ metric: 'errors', threshold }])[0] as ErrorsSla);
const dropped = (threshold: string) => droppedChecker(parseSlas([{ metric: 'dropped', threshold }])[0] as DroppedSla);

// 10 s × 1000 scheduled: 9990 ok, 5 http_503, 3 timeout (info), 2 dropped.
const run = history(
  seconds(0, 10, (t) => (t === 4 ? { ok: 990, failed: { http_503: 5, timeout: 3 }, dropped: 2 } : { ok: 1000 })),
);

test('error rate is failed (fail + info) over completed; dropped are not in it', () => {
  const r = errors('rate<0.001').check(run);
  assert.equal(r.valid, true);
  // 8 / 9998: the 2 dropped requests never reached the service.
  assert.deepEqual(r.observed, { value: 0.000800160, unit: 'ratio', failed: 8, completed: 9998, rate: 0.000800160 });
  const bad = errors('rate<0.0005').check(run);
  assert.equal(bad.valid, false);
  assert.match(bad.reason ?? '', /8 of 9998 completed requests failed .*top kinds: http_503 5, timeout 3/);
  assert.equal(errors('count<=8').check(run).valid, true);
  assert.equal(errors('count<8').check(run).valid, false);
});

test('error rate is unknown with no requests, or when every request was dropped', () => {
  assert.equal(errors('rate<0.001').check(history(seconds(0, 3, () => ({})))).reason, 'no requests in the run');
  const allDropped = errors('rate<0.001').check(history(seconds(0, 3, () => ({ dropped: 10 }))));
  assert.equal(allDropped.valid, 'unknown');
  assert.match(allDropped.reason ?? '', /all 30 requests were dropped/);
});

test('dropped: count and share of scheduled', () => {
  assert.equal(dropped('count<3').check(run).valid, true);
  const bad = dropped('count<1').check(run);
  assert.equal(bad.valid, false);
  assert.deepEqual(bad.observed, { value: 2, unit: 'count', dropped: 2, scheduled: 10000 });
  assert.match(bad.reason ?? '', /2 of 10000 scheduled requests could not be sent on time/);
  assert.equal(dropped('rate<0.0003').check(run).valid, true);
  assert.equal(dropped('rate<0.0002').check(run).valid, false);
  assert.equal(dropped('count<1').check(history([])).valid, 'unknown');
});
