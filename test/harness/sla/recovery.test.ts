import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultEpisodes, recoveryChecker, type EpisodeRecovery } from '../../../harness/sla/checkers/recovery.ts';
import { parseSlas, type RecoverySla, type SlaSpec } from '../../../harness/sla/spec.ts';
import type { FaultWindow } from '../../../harness/load/history.ts';
import { history, seconds, type SecondSpec } from './helpers.ts';

const check = (extra: Partial<Extract<SlaSpec, { metric: 'recovery' }>> = {}) =>
  recoveryChecker(parseSlas([{ metric: 'recovery', maxSeconds: 5, ...extra }])[0] as RecoverySla);
const episodes = (r: { observed?: unknown }) => (r.observed as { episodes: EpisodeRecovery[] }).episodes;

const good: SecondSpec = { ok: 100 };
const down: SecondSpec = { failed: { http_503: 100 } };
const crash: FaultWindow = { name: 'broker-crash', startMs: 10_000, endMs: 12_500 };

// Down from second 10 to `lastBad` inclusive, healthy otherwise.
const outage = (n: number, lastBad: number, faults: FaultWindow[] = [crash]) =>
  history(seconds(0, n, (t) => (t >= 10 && t <= lastBad ? down : good)), faults);

test('recovery time is from the end of the fault to the first of N healthy seconds', () => {
  // The fault ends at 12.5 s; seconds 12–14 are still down, 15, 16, 17 are healthy: 15 − 12.5 = 2.5 s.
  const r = check().check(outage(30, 14));
  assert.equal(r.valid, true);
  assert.deepEqual(episodes(r), [{ fault: 'broker-crash', endMs: 12_500, recoverySeconds: 2.5, valid: true }]);
  assert.equal((r.observed as { value: number }).value, 2.5);
  assert.match(r.threshold ?? '', /≤ 5 s until 3 s in a row at availability ≥ 99 %/);
});

test('a recovery slower than maxSeconds fails and says how long it took', () => {
  const r = check({ maxSeconds: 2 }).check(outage(30, 14));
  assert.equal(r.valid, false);
  assert.equal(episodes(r)[0]?.recoverySeconds, 2.5);
  assert.match(r.reason ?? '', /broker-crash ended at 12\.5 s; recovered after 2\.5 s > 2 s/);
});

test('a service that never recovers fails once the whole allowance has been seen', () => {
  const r = check().check(outage(30, 29));
  assert.equal(r.valid, false);
  assert.equal(episodes(r)[0]?.recoverySeconds, null);
  assert.match(r.reason ?? '', /not recovered by the time the run ended/);
});

test('a fault with no visible impact recovers in 0 s', () => {
  const r = check().check(history(seconds(0, 20, () => good), [crash]));
  assert.equal(r.valid, true);
  assert.equal(episodes(r)[0]?.recoverySeconds, 0);
});

test('unknown when the run ends too soon after the fault to judge', () => {
  // Seconds 0–15 only: 15 is healthy but 16 and 17 were never observed.
  const r = check().check(outage(16, 14));
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason ?? '', /recovery cannot be judged because the run ended \(need 3 s of traffic/);
});

test('unknown when the next fault begins before recovery can be seen', () => {
  const next: FaultWindow = { name: 'partition', startMs: 16_000, endMs: 18_000 };
  const r = check().check(history(seconds(0, 40, (t) => ((t >= 10 && t <= 14) || (t >= 16 && t <= 18) ? down : good)), [crash, next]));
  assert.equal(r.valid, 'unknown');
  assert.equal(episodes(r)[0]?.valid, 'unknown');
  assert.match(episodes(r)[0]?.reason ?? '', /the next fault began/);
  assert.equal(episodes(r)[1]?.recoverySeconds, 1);
});

test('unknown when the seconds after the fault had no traffic, a still-active fault, or no fault at all', () => {
  const quiet = check().check(history(seconds(0, 30, (t) => (t >= 10 && t <= 12 ? down : t > 12 && t < 20 ? {} : good)), [crash]));
  assert.equal(quiet.valid, 'unknown');
  assert.match(quiet.reason ?? '', /second 13 had no traffic/);
  const active = check().check(outage(30, 29, [{ name: 'broker-crash', startMs: 10_000 }]));
  assert.equal(active.valid, 'unknown');
  assert.match(active.reason ?? '', /still active at the end of the run/);
  assert.equal(check().check(outage(30, 0, [])).reason, 'no fault window in this run to recover from');
  assert.equal(check({ faults: ['disk-full'] }).check(outage(30, 14)).reason, 'none of the faults disk-full happened in this run');
});

test('a latency bound holds recovery back until latency is in bounds too', () => {
  // Available from 15 on, but p99 is 2 s in 15 and 16: recovered at 17 = 4.5 s after 12.5 s.
  const run = history(
    seconds(0, 30, (t) =>
      t >= 10 && t <= 14 ? down : t === 15 || t === 16 ? { ok: 100, latency: { all: [[2000, 100]] } } : good,
    ),
    [crash],
  );
  assert.equal(episodes(check().check(run))[0]?.recoverySeconds, 2.5);
  const r = check({ latency: { threshold: 'p(99)<500' } }).check(run);
  assert.equal(r.valid, true);
  assert.equal(episodes(r)[0]?.recoverySeconds, 4.5);
  assert.equal(check({ maxSeconds: 4, latency: { threshold: 'p(99)<500' } }).check(run).valid, false);
});

test('overlapping fault windows are one episode', () => {
  assert.deepEqual(
    faultEpisodes([
      { name: 'b', startMs: 11_000, endMs: 13_000 },
      { name: 'a', startMs: 10_000, endMs: 12_000 },
      { name: 'c', startMs: 20_000 },
    ]),
    [
      { faults: ['a', 'b'], startMs: 10_000, endMs: 13_000 },
      { faults: ['c'], startMs: 20_000 },
    ],
  );
});
