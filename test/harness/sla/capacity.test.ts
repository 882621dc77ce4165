import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacity } from '../../../harness/sla/capacity.ts';
import { checkSlas } from '../../../harness/sla/index.ts';
import type { History, SecondBucket } from '../../../harness/load/history.ts';
import { history, second, type SecondSpec } from './helpers.ts';

const bounds = { p99Ms: 500, maxErrorRate: 0.001, windowS: 5, target: 10_000, headroom: 0.2 };

/** A second offered `sent` requests (a ramp's schedule), whatever completed in it. */
const at = (t: number, sent: number, s: SecondSpec): SecondBucket => ({ ...second(t, s), sent });

test('capacity is the best 5 s run of good seconds, not a single second that drains a backlog', () => {
  // A ramp: good up to 60/s, one 429 at 62 offered, then good seconds while the queue fills
  // (up to 73 ok), then overloaded at ~55 ok/s.
  const secs = [
    ...[50, 52, 54, 56, 58, 60].map((r, i) => at(i, r, { ok: r })),
    at(6, 62, { ok: 61, failed: { http_429: 1 } }),
    ...[66, 69, 73].map((r, i) => at(7 + i, r, { ok: r })),
    ...[75, 77, 79].map((r, i) => at(10 + i, r, { ok: 55, failed: { http_429: r - 55 } })),
  ];
  const c = capacity(history(secs), bounds, 2);
  assert.equal(c.sustainedRate, 56, 'mean of 52..60, the best five good seconds in a row; not 73');
  assert.equal(c.windowS, 5);
  assert.equal(c.tipOverOffered, 62, 'the first bad second, offered');
  assert.equal(c.peakRate, 73, 'the most completed in one second, good or not');
  assert.equal(c.maxOffered, 79);
  assert.equal(c.perCore, 28);
  assert.equal(c.fleet.machines, Math.ceil(12_000 / 56));
});

test('a second over the p99 bound breaks a run as an error does', () => {
  const slow: SecondSpec = { ok: 100, latency: { all: [[10, 90], [800, 10]] } };
  const secs = [0, 1, 2, 3, 4, 5, 6].map((t) => second(t, t === 3 ? slow : { ok: 100 }));
  const c = capacity(history(secs), bounds, 2);
  assert.equal(c.sustainedRate, 0, 'no five good seconds in a row');
  assert.equal(c.tipOverOffered, 100);
  assert.equal(c.fleet.machines > 1e9, true, 'nothing sustained: no finite fleet');
});

test('the window is configurable, and a ramp that never tips over reports no tip-over', () => {
  const secs = [10, 20, 30, 40].map((r, t) => second(t, { ok: r }));
  const c = capacity(history(secs), { ...bounds, windowS: 2 }, 2);
  assert.equal(c.sustainedRate, 35);
  assert.equal(c.tipOverOffered, null);
});

// The capacity checker over literal histories: the SLA's bounds come from the scenario.

/** A ramp of `rates` offered per second; `ok(r)` completes; seconds at or above `breakAt` fail a tenth of theirs with 503. */
function ramp(rates: number[], breakAt: number, ok: (r: number) => number = (r) => r): SecondBucket[] {
  return rates.map((r, t) => {
    const done = Math.min(r, ok(r));
    return r < breakAt ? { ...second(t, { ok: done }), sent: r } : { ...second(t, { ok: Math.round(done * 0.9), failed: { http_503: done - Math.round(done * 0.9) } }), sent: r };
  });
}
const onCores = (h: History, cores = 2): History => ({ ...h, machine: { cores } });
const capacitySla = (minShareOfPeak: number, extra: Record<string, unknown> = {}) => [{ metric: 'capacity', minShareOfPeak, ...extra }];
const judgeCapacity = (h: History, sla: unknown[]) => checkSlas(h, sla).results[0]!;

test('capacity checker passes when the sustained rate is near the peak and the ramp tipped over inside the run', () => {
  const h = onCores(history(ramp([40, 45, 50, 55, 60, 65, 70, 75, 80], 65, (r) => Math.min(r, 62))));
  const r = judgeCapacity(h, capacitySla(0.8));
  assert.equal(r.valid, true, r.reason);
  const o = r.observed as { sustainedRate: number; peakRate: number; tipOverOffered: number; fleet: { machines: number } };
  assert.equal(o.sustainedRate, 50, 'mean of 40..60');
  assert.equal(o.peakRate, 60);
  assert.equal(o.tipOverOffered, 65);
  assert.equal(o.fleet.machines, 240, '12,000 / 50');
});

test('capacity checker fails when the rate held within SLA is far below what the stack completed at its peak', () => {
  // Latency breaks at 45 offered while the stack still completes up to 80/s: it queues instead of serving.
  const secs = [20, 25, 30, 35, 40, 45, 50, 60, 70, 80].map((r, t) => second(t, { ok: r, latency: { all: [[r >= 45 ? 900 : 10, r]] } }));
  secs.forEach((s, i) => (s.sent = [20, 25, 30, 35, 40, 45, 50, 60, 70, 80][i]!));
  const r = judgeCapacity(onCores(history(secs)), capacitySla(0.6));
  assert.equal(r.valid, false);
  assert.match(r.reason!, /sustained 30\/s within bounds is below 60 % of the 80\/s peak/);
});

test('capacity checker fails when no window of good seconds exists at all', () => {
  const secs = [30, 30, 30, 30, 30, 30].map((r, t) => second(t, { ok: r, latency: { all: [[900, r]] } }));
  const r = judgeCapacity(onCores(history(secs)), capacitySla(0.5));
  assert.equal(r.valid, false);
  assert.match(r.reason!, /no 5 s in a row held the bounds/);
});

test('capacity checker is unknown when the ramp never tipped over, without cores, or without traffic', () => {
  const gentle = onCores(history(ramp([10, 20, 30, 40, 50, 60], 1000)));
  const r = judgeCapacity(gentle, capacitySla(0.5));
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason!, /never broke the bounds \(it offered at most 60\/s\)/);
  const noCores = judgeCapacity(history(ramp([40, 50, 60, 70, 80, 90], 80)), capacitySla(0.5));
  assert.equal(noCores.valid, 'unknown');
  assert.match(noCores.reason!, /cores/);
  const idle = judgeCapacity(onCores(history([second(0), second(1)])), capacitySla(0.5));
  assert.equal(idle.valid, 'unknown');
});

test('the capacity SLA reads its bounds from the scenario: a stricter p99 moves the tip-over', () => {
  const secs = [10, 20, 30, 40, 50, 60, 70, 80].map((r, t) => second(t, { ok: r, latency: { all: [[r * 3, r]] } })); // p99 = 3 ms × rate
  const loose = judgeCapacity(onCores(history(secs)), capacitySla(0.1, { p99Ms: 500 }));
  const strict = judgeCapacity(onCores(history(secs)), capacitySla(0.1, { p99Ms: 100, windowS: 2 }));
  assert.equal(loose.valid, 'unknown', 'all under 500 ms: never tipped over');
  assert.equal(strict.valid, true, strict.reason);
  assert.equal((strict.observed as { tipOverOffered: number }).tipOverOffered, 40, 'first second at or over 100 ms');
  assert.throws(() => checkSlas(history(secs), [{ metric: 'capacity' }]), /minShareOfPeak/);
});
