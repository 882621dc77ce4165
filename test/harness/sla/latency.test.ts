import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyChecker } from '../../../harness/sla/checkers/latency.ts';
import { parseSlas, type LatencySla } from '../../../harness/sla/spec.ts';
import { history, second, seconds } from './helpers.ts';

const sla = (threshold: string, sizeClass?: string) =>
  latencyChecker(parseSlas([{ metric: 'latency', threshold, ...(sizeClass ? { sizeClass } : {}) }])[0] as LatencySla);

// 1000 requests: 985 at 100 ms and 15 at 900 ms, so p(98) is 100 ms and p(99) is 900 ms.
const run = history([
  second(0, { ok: 500, latency: { all: [[100, 490], [900, 10]], lt1mb: [[100, 490]] } }),
  second(1, { ok: 500, latency: { all: [[100, 495], [900, 5]], lt1mb: [[100, 495]] } }),
]);

test('p(99) merges the per-second histograms: pass and fail', () => {
  const ok = sla('p(98)<500').check(run);
  assert.equal(ok.valid, true);
  assert.equal(ok.name, 'latency p(98) · all');
  assert.equal(ok.threshold, 'p(98)<500 ms');
  const bad = sla('p(99)<500').check(run);
  assert.equal(bad.valid, false);
  const obs = bad.observed as { value: number; samples: number };
  assert.ok(Math.abs(obs.value - 900) < 1, `p99 ≈ 900 ms, got ${obs.value}`);
  assert.equal(obs.samples, 1000);
  assert.match(bad.reason ?? '', /p\(99\) was 900\.\d* ms over 1000 requests, bound p\(99\)<500 ms/);
});

test('avg, med, max and min over the merged histogram', () => {
  // mean = (985·100 + 15·900) / 1000 = 112 ms
  const avg = sla('avg<113').check(run);
  assert.equal(avg.valid, true);
  assert.ok(Math.abs((avg.observed as { value: number }).value - 112) < 0.2);
  assert.equal(sla('avg<111').check(run).valid, false);
  assert.equal(sla('med<=100.1').check(run).valid, true);
  assert.equal(sla('max<900').check(run).valid, false);
  assert.equal(sla('min>=99.9').check(run).valid, true);
});

test('a size class is judged on its own samples', () => {
  assert.equal(sla('p(99.9)<500', 'lt1mb').check(run).valid, true);
});

test('unknown without requests or without samples in the size class', () => {
  const none = sla('p(99)<500').check(history(seconds(0, 5, () => ({}))));
  assert.equal(none.valid, 'unknown');
  assert.equal(none.reason, 'no requests in the run');
  const missing = sla('p(99)<500', 'gt1mb').check(run);
  assert.equal(missing.valid, 'unknown');
  assert.match(missing.reason ?? '', /no latency samples for size class "gt1mb" \(classes with samples: all, lt1mb\)/);
});
