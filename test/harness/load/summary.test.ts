/**
 * Pure parts of the load engine: schedules (the integral of the rate), duration parsing,
 * failure classification, bucket merging and the summary's percentiles computed from
 * literal histograms — no network, no clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Schedule } from '../../../harness/load/profile.ts';
import { parseDurationMs } from '../../../harness/load/duration.ts';
import { errorKind, outcomeOf, okStatusPredicate } from '../../../harness/load/classify.ts';
import { encode, newHistogram, decode } from '../../../harness/load/histogram.ts';
import { mergeBuckets, mergeFailures } from '../../../harness/load/aggregate.ts';
import { summarize } from '../../../harness/load/summary.ts';
import type { History, SecondBucket } from '../../../harness/load/history.ts';

const close = (actual: number | null, expected: number, rel = 0.001, msg = ''): void =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= expected * rel, `${msg} expected ≈${expected}, got ${actual}`);

test('constant schedule: arrival k at k/rate, exactly rate × duration arrivals', () => {
  const s = new Schedule({ kind: 'constant', rate: 2000, durationS: 3 });
  assert.equal(s.total, 6000);
  assert.equal(s.at(0), 0);
  close(s.at(1), 0.5);
  close(s.at(5999), 2999.5);
  assert.equal(s.at(6000), Infinity);
  // A float product a hair above an integer must not schedule an extra request.
  assert.equal(new Schedule({ kind: 'constant', rate: 0.1, durationS: 30 }).total, 3);
});

test('ramping schedule sends the integral of the rate, linearly between stages', () => {
  const s = new Schedule({ kind: 'ramping', stages: [{ rate: 1000, durationS: 1 }, { rate: 1000, durationS: 1 }, { rate: 0, durationS: 1 }] });
  assert.equal(s.total, 500 + 1000 + 500);
  const perSecond = [0, 0, 0];
  let prev = -1;
  for (let k = 0; k < s.total; k++) {
    const t = s.at(k);
    assert.ok(t >= prev && t < 3000, `arrival ${k} at ${t} after ${prev}`);
    prev = t;
    perSecond[Math.floor(t / 1000)]!++;
  }
  assert.deepEqual(perSecond, [500, 1000, 500]);
  // On the ramp up, N(t) = 500·t² (t in s): the 125th arrival is at t = 0.5 s.
  close(s.at(125), 500, 1e-9);
  // startRate: a ramp from 100/s to 300/s over 2 s sends 400.
  assert.equal(new Schedule({ kind: 'ramping', startRate: 100, stages: [{ rate: 300, durationS: 2 }] }).total, 400);
});

test('schedules reject unusable profiles with every problem named', () => {
  assert.throws(() => new Schedule({ kind: 'constant', rate: 0, durationS: -1 }), /rate must be a positive number.*durationS must be positive/);
  assert.throws(() => new Schedule({ kind: 'ramping', stages: [] }), /non-empty/);
});

test('durations: ms, s, m, h and combinations; anything else is a RangeError', () => {
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('30s'), 30_000);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('1.5s'), 1500);
  for (const bad of ['30', 's', '0s', '-1s', '10x', '1s ms']) assert.throws(() => parseDurationMs(bad), RangeError, bad);
});

test('failure kinds come from error codes; fail versus info follows Jepsen', () => {
  const e = (code: string) => Object.assign(new Error('x'), { code });
  assert.equal(errorKind(e('ECONNREFUSED')), 'econnrefused');
  assert.equal(errorKind(e('ECONNRESET')), 'econnreset');
  assert.equal(errorKind(e('UND_ERR_SOCKET')), 'econnreset');
  assert.equal(errorKind(e('UND_ERR_HEADERS_TIMEOUT')), 'timeout');
  assert.equal(errorKind(e('NINES_LOAD_DEADLINE')), 'timeout');
  assert.equal(errorKind(new Error('no code')), 'other');
  assert.equal(outcomeOf('econnrefused'), 'fail');
  assert.equal(outcomeOf('http_503'), 'fail');
  assert.equal(outcomeOf('timeout'), 'info');
  assert.equal(outcomeOf('econnreset'), 'info');
  assert.equal(okStatusPredicate()(404), false);
  assert.equal(okStatusPredicate()(302), true);
  assert.equal(okStatusPredicate([200, 404])(404), true);
});

/** A histogram (µs) holding one sample of each ms value in [fromMs, toMs]. */
function hist(fromMs: number, toMs: number): string {
  const h = newHistogram();
  for (let v = fromMs; v <= toMs; v++) h.recordValue(v * 1000);
  return encode(h);
}

function bucket(t: number, sent: number, ok: number, failed: Record<string, number>, dropped: number, latency: Record<string, string>): SecondBucket {
  return { t, sent, ok, failed, dropped, latency };
}

test('summary: percentiles from literal histograms merged across seconds, counts and rate', () => {
  const history: History = {
    scenario: 'literal',
    seed: 1,
    startedAt: new Date(0).toISOString(),
    settings: { durationS: 2, targetRate: 101 },
    seconds: [bucket(0, 100, 100, {}, 2, { all: hist(1, 100), small: hist(1, 100) }), bucket(1, 100, 97, { http_503: 2, timeout: 1 }, 0, { all: hist(101, 200) })],
    failures: [],
    faults: [],
  };
  const s = summarize(history);
  assert.equal(s.requests, 200);
  assert.equal(s.scheduled, 202);
  assert.equal(s.dropped, 2);
  assert.equal(s.achievedRate, 100);
  assert.equal(s.targetRate, 101);
  assert.deepEqual(s.statusCounts, { ok: 197, http_503: 2, timeout: 1 });
  assert.equal(s.failed, 3);
  // 200 samples, one at each ms from 1 to 200: HDR keeps 3 significant digits.
  close(s.latencyMs.p50, 100);
  close(s.latencyMs.p90, 180);
  close(s.latencyMs.p99, 198);
  close(s.latencyMs.p999, 200);
  close(s.latencyMs.max, 200);
  assert.equal(s.latencyMs.count, 200);
  close(s.byClass?.small?.p99 ?? null, 99);
});

test('summary of a run without responses has null percentiles, not zeros', () => {
  const empty = encode(newHistogram());
  const s = summarize({ scenario: 'x', seed: 0, startedAt: '', settings: { durationS: 1 }, seconds: [bucket(0, 0, 0, {}, 5, { all: empty })], failures: [], faults: [] });
  assert.equal(s.latencyMs.p99, null);
  assert.equal(s.dropped, 5);
  assert.equal(s.achievedRate, 0);
});

test('merging one second from two threads adds counts and histograms', () => {
  const m = mergeBuckets([bucket(3, 10, 9, { http_500: 1 }, 1, { all: hist(1, 10) }), bucket(3, 5, 4, { http_500: 1, timeout: 1 }, 0, { all: hist(11, 15), big: hist(11, 15) })]);
  assert.deepEqual({ ...m, latency: undefined }, { t: 3, sent: 15, ok: 13, failed: { http_500: 2, timeout: 1 }, dropped: 1, latency: undefined });
  const all = decode(m.latency.all!);
  assert.equal(all.totalCount, 15);
  close(all.maxValue, 15_000);
  assert.equal(decode(m.latency.big!).totalCount, 5);
  const f = mergeFailures([[{ at: 5, outcome: 'fail', kind: 'x' }, { at: 9, outcome: 'fail', kind: 'x' }], [{ at: 1, outcome: 'info', kind: 'timeout' }]], 2);
  assert.deepEqual(f.failures.map((x) => x.at), [1, 5]);
  assert.equal(f.omitted, 1);
});
