import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacity } from '../../../harness/scenario/probes.ts';
import type { SecondBucket } from '../../../harness/load/history.ts';
import { history, second, type SecondSpec } from '../sla/helpers.ts';

const judge = { p99Ms: 500, maxErrorRate: 0.001, cores: 2 };

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
  const c = capacity(history(secs), judge);
  assert.equal(c.sustainedRate, 56, 'mean of 52..60, the best five good seconds in a row; not 73');
  assert.equal(c.windowS, 5);
  assert.equal(c.tipOverOffered, 62, 'the first bad second, offered');
  assert.equal(c.perCore, 28);
  assert.equal(c.fleet.machines, Math.ceil(12_000 / 56));
});

test('a second over the p99 bound breaks a run as an error does', () => {
  const slow: SecondSpec = { ok: 100, latency: { all: [[10, 90], [800, 10]] } };
  const secs = [0, 1, 2, 3, 4, 5, 6].map((t) => second(t, t === 3 ? slow : { ok: 100 }));
  const c = capacity(history(secs), judge);
  assert.equal(c.sustainedRate, 0, 'no five good seconds in a row');
  assert.equal(c.tipOverOffered, 100);
  assert.equal(c.fleet.machines > 1e9, true, 'nothing sustained: no finite fleet');
});

test('the window is configurable, and a ramp that never tips over reports no tip-over', () => {
  const secs = [10, 20, 30, 40].map((r, t) => second(t, { ok: r }));
  const c = capacity(history(secs), { ...judge, windowS: 2 });
  assert.equal(c.sustainedRate, 35);
  assert.equal(c.tipOverOffered, null);
});
