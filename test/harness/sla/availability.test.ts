import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availabilityChecker, slidingAvailability } from '../../../harness/sla/checkers/availability.ts';
import { parseSlas, type AvailabilitySla } from '../../../harness/sla/spec.ts';
import { history, second, seconds, steady } from './helpers.ts';

const check = (window: string | number, min: number) =>
  availabilityChecker(parseSlas([{ metric: 'availability', window, min }])[0] as AvailabilitySla);

test('passes when every window reaches the minimum', () => {
  const r = check('10s', 0.999).check(steady(30));
  assert.equal(r.valid, true);
  assert.equal(r.name, 'availability · 10 s windows');
  assert.deepEqual(r.observed, { value: 1, unit: 'ratio', worstWindow: { startS: 0, endS: 10, ok: 1000, scheduled: 1000 }, windows: 21, emptyWindows: 0 });
});

test('sliding windows catch an outage that a tumbling grid would split in two', () => {
  // Seconds 8–11 lose 2 of 100 each: 8 failures in 4 s straddling the 10 s boundary.
  // Tumbling [0,10) and [10,20) would each see 4 / 1000 = 99.6 %; the window [5,15) sees 8 / 1000.
  const run = history(
    seconds(0, 20, (t) => (t >= 8 && t <= 11 ? { ok: 98, failed: { http_503: 1 }, dropped: 1 } : { ok: 100 })),
    [{ name: 'partition', startMs: 8000, endMs: 12000 }],
  );
  const r = check('10s', 0.995).check(run);
  assert.equal(r.valid, false);
  const obs = r.observed as { value: number; worstWindow: { startS: number; ok: number; scheduled: number } };
  assert.equal(obs.value, 0.992);
  assert.equal(obs.worstWindow.ok, 992);
  assert.equal(obs.worstWindow.scheduled, 1000);
  assert.match(r.reason ?? '', /served 992 of 1000 requests \(99\.2 % < 99\.5 %\), during partition/);
  // Dropped requests count as unavailable: 2 of the 8 missing here were dropped.
  assert.equal(check('10s', 0.992).check(run).valid, true);
});

test('unknown when the run is shorter than a window, or has no traffic', () => {
  const short = check('1m', 0.999).check(steady(30));
  assert.equal(short.valid, 'unknown');
  assert.equal(short.reason, 'the run lasted 30 s, shorter than one 60 s window');
  assert.equal(check(10, 0.999).check(history(seconds(0, 20, () => ({})))).reason, 'no requests in the run');
});

test('a window without traffic is unknown, unless another window already fails', () => {
  // Seconds 10–14 recorded nothing (the engine omitted them): window [10,15) is empty.
  const gap = history([...seconds(0, 10, () => ({ ok: 100 })), ...seconds(15, 5, () => ({ ok: 100 }))]);
  const r = check('5s', 0.999).check(gap);
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason ?? '', /1 of 16 windows had no traffic/);
  const failing = history([...seconds(0, 10, (t) => (t === 3 ? { ok: 50, failed: { timeout: 50 } } : { ok: 100 })), ...seconds(15, 5, () => ({ ok: 100 }))]);
  assert.equal(check('5s', 0.999).check(failing).valid, false);
});

test('slidingAvailability steps one second at a time', () => {
  const w = slidingAvailability(history([second(0, { ok: 1 }), second(1, { failed: { x: 1 } }), second(2, { ok: 1 })]), 2);
  assert.deepEqual(
    w.map((x) => x.availability),
    [0.5, 0.5],
  );
});

test('a 4xx answer is the client’s: 429s count as served, 503s and drops do not (the SLO rules’ definition)', () => {
  const run = history(seconds(0, 10, () => ({ ok: 10, failed: { http_429: 80, http_503: 1 }, dropped: 9 })));
  const r = check('10s', 0.5).check(run);
  assert.deepEqual((r.observed as { worstWindow: unknown }).worstWindow, { startS: 0, endS: 10, ok: 900, scheduled: 1000 });
  assert.equal(r.valid, true);
});
