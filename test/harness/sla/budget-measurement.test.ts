import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorBudgetChecker, errorBudgetShare } from '../../../harness/sla/checkers/error-budget.ts';
import { measurementChecker } from '../../../harness/sla/checkers/measurement.ts';
import { parseSlas, type ErrorBudgetSla, type MeasurementSla } from '../../../harness/sla/spec.ts';
import { history, seconds } from './helpers.ts';

const budget = (slo: number, maxShare: number) =>
  errorBudgetChecker(parseSlas([{ metric: 'errorBudget', slo, maxShare }])[0] as ErrorBudgetSla);
const measure = (name: string, threshold: string) =>
  measurementChecker(parseSlas([{ metric: 'measurement', name, threshold }])[0] as MeasurementSla);

// 100 s × 100 = 10 000 scheduled, 5 not served (3 failed, 2 dropped): 0.05 % failures.
const run = history(seconds(0, 100, (t) => (t === 50 ? { ok: 95, failed: { http_503: 3 }, dropped: 2 } : { ok: 100 })));

test('0.05 % failures spend 50 % of a 99.9 % budget (43.2 min/month)', () => {
  const b = errorBudgetShare(run, 0.999);
  assert.ok(b);
  assert.equal(b.failureRate, 0.0005);
  assert.ok(Math.abs(b.share - 0.5) < 1e-12);
  assert.ok(Math.abs(b.budgetMinutesPerMonth - 43.2) < 1e-9);
  assert.ok(Math.abs(b.minutesPerMonthAtThisRate - 21.6) < 1e-9);
  // 99.99 %: the same run would spend five budgets.
  assert.ok(Math.abs(errorBudgetShare(run, 0.9999)!.share - 5) < 1e-9);
});

test('error budget passes at or under maxShare and fails above it', () => {
  const ok = budget(0.999, 0.5).check(run);
  assert.equal(ok.valid, true, 'exactly 50 % is within a 50 % allowance despite binary rounding');
  assert.equal((ok.observed as { value: number }).value, 0.5);
  const bad = budget(0.999, 0.1).check(run);
  assert.equal(bad.valid, false);
  assert.match(bad.reason ?? '', /failure rate 0\.05 % would spend 50 % of the monthly budget \(21\.6 of 43\.2 min\), more than 10 %/);
  assert.equal(budget(0.999, 0.1).check(history([])).valid, 'unknown');
});

test('measurement: pass, fail, and unknown when the probe did not record it', () => {
  const h = history(seconds(0, 1, () => ({ ok: 1 })), [], { failoverSeconds: 3.2, lostAccepted: 0 });
  assert.equal(measure('failoverSeconds', 'value<5').check(h).valid, true);
  assert.equal(measure('failoverSeconds', 'value<5').check(h).observed, 3.2);
  const bad = measure('failoverSeconds', 'value<3').check(h);
  assert.equal(bad.valid, false);
  assert.equal(bad.reason, 'failoverSeconds was 3.2, bound value<3');
  const missing = measure('splitBrainMs', 'value==0').check(h);
  assert.equal(missing.valid, 'unknown');
  assert.equal(missing.reason, 'measurement "splitBrainMs" was not recorded (recorded: failoverSeconds, lostAccepted)');
  assert.equal(measure('x', 'value<1').check(history([], [], { x: Number.NaN })).valid, 'unknown');
});

test('error budget: refusals answered 4xx spend none of it, 5xx do', () => {
  const run = history(seconds(0, 10, () => ({ ok: 10, failed: { http_429: 89, http_503: 1 } })));
  const b = errorBudgetShare(run, 0.999)!;
  assert.equal(b.failureRate, 0.01);
  assert.equal(Math.round(b.share * 1000) / 1000, 10);
});
