import { test } from 'node:test';
import assert from 'node:assert/strict';
import { k6PointsToHistory, k6ErrorKind, parseK6Time } from '../../../harness/k6/points.ts';
import { addEncoded, percentilesMs } from '../../../harness/load/histogram.ts';
import { checkSlas } from '../../../harness/sla/index.ts';

// Lines as `k6 run --out json=…` writes them: declarations, then samples stamped with the
// request's end time, tags as strings.
const point = (metric: string, time: string, value: number, tags: Record<string, string> | null): string =>
  JSON.stringify({ type: 'Point', data: { time, value, tags }, metric });
const req = (end: string, ms: number, status: number, sizeClass: string, extra: Record<string, string> = {}): string[] => {
  const tags = { expected_response: String(status >= 200 && status < 400), group: '', method: 'POST', name: 'http://api/v1/resize?width=320', proto: 'HTTP/1.1', scenario: 'smoke', status: String(status), url: 'http://api/v1/resize?width=320', size_class: sizeClass, ...extra };
  return [point('http_reqs', end, 1, tags), point('http_req_duration', end, ms, tags), point('http_req_failed', end, status >= 200 && status < 400 ? 0 : 1, tags)];
};
const t = (s: string): string => `2024-05-09T14:34:${s}+02:00`;

const lines = [
  '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(99)<500"],"submetrics":null},"metric":"http_req_duration"}',
  point('vus', t('45.000000000'), 5, null),
  // Out of order on purpose: k6 flushes samples in batches.
  ...req(t('56.500000000'), 10000, 0, 'gte1mb', { error_code: '1050', error: 'request timeout' }), // started 46.5: second 1
  ...req(t('45.120000000'), 20.5, 200, 'lt1mb'),
  ...req(t('45.900000000'), 100, 200, 'gte1mb'),
  ...req(t('46.050000000'), 300, 503, 'lt1mb'), // ended in second 1, started in second 0
  ...req(t('46.300000000'), 5, 0, 'lt1mb', { error_code: '1212', error: 'dial: connection refused' }),
  point('dropped_iterations', t('46.700000000'), 1, { scenario: 'smoke' }),
  point('dropped_iterations', t('47.100000000'), 1, { scenario: 'smoke' }),
  // 100 requests in second 2 taking 1 … 100 ms, for percentiles.
  ...Array.from({ length: 100 }, (_, i) => req(t(`47.${200 + i}000000`), i + 1, 200, 'lt1mb')).flat(),
  '',
  '{not json',
];

test('k6 timestamps keep their sub-millisecond part and their offset', () => {
  assert.equal(parseK6Time('2024-05-09T14:34:45.239531499+02:00'), Date.parse('2024-05-09T12:34:45.239Z') + 0.531499);
  assert.equal(parseK6Time('2024-05-09T12:34:45Z'), Date.parse('2024-05-09T12:34:45Z'));
  assert.throws(() => parseK6Time('yesterday'), RangeError);
});

test("k6's error codes map onto the nines engine's failure kinds", () => {
  assert.deepEqual(['1050', '1211', '1212', '1220', '1201', '1000', undefined].map(k6ErrorKind), ['timeout', 'timeout', 'econnrefused', 'econnreset', 'econnreset', 'other', 'other']);
});

test('k6 JSON lines become per-second buckets counted by request start, with failures by kind and drops', () => {
  const h = k6PointsToHistory(lines, { scenario: 'smoke', seed: 42, durationS: 3 });
  assert.equal(h.startedAt, '2024-05-09T12:34:45.000Z', 'second 0 starts at the first sample (vus at test start)');
  assert.deepEqual(
    h.seconds.map(({ t: s, sent, ok, failed, dropped }) => ({ t: s, sent, ok, failed, dropped })),
    [
      { t: 0, sent: 3, ok: 2, failed: { http_503: 1 }, dropped: 0 },
      { t: 1, sent: 2, ok: 0, failed: { timeout: 1, econnrefused: 1 }, dropped: 1 },
      { t: 2, sent: 100, ok: 100, failed: {}, dropped: 1 },
    ],
  );
  assert.deepEqual(h.failures, [
    { at: 750, outcome: 'fail', kind: 'http_503', status: 503, latencyMs: 300 },
    { at: 1295, outcome: 'fail', kind: 'econnrefused', latencyMs: 5 },
    { at: 1500, outcome: 'info', kind: 'timeout', latencyMs: 10000 },
    { at: 1700, outcome: 'dropped', kind: 'dropped' },
    { at: 2100, outcome: 'dropped', kind: 'dropped' },
  ]);
  assert.deepEqual(h.settings.k6, { httpReqDuration: 105, httpReqs: 105, droppedIterations: 2, malformedLines: 1 });
  assert.equal(h.settings.engine, 'k6');
  assert.deepEqual(Object.keys(h.seconds[0]!.latency), ['all', 'lt1mb', 'gte1mb']);
});

test('latency histograms are in µs per size class, and percentiles come out right', () => {
  const h = k6PointsToHistory(lines, { scenario: 'smoke', seed: 42, durationS: 3 });
  const s2 = percentilesMs(addEncoded([h.seconds[2]!.latency.all!]));
  assert.equal(s2.count, 100);
  assert.ok(Math.abs(s2.p50! - 50) <= 0.05 && Math.abs(s2.p99! - 99) <= 0.1, JSON.stringify(s2));
  // HDR keeps 3 significant digits: a value reads back within 0.1 % of what was recorded.
  const near = (got: number | null, want: number): boolean => got !== null && Math.abs(got - want) <= want * 0.001;
  assert.ok(near(s2.max, 100), `max ${s2.max}`);
  const s0 = percentilesMs(addEncoded([h.seconds[0]!.latency.lt1mb!]));
  assert.equal(s0.count, 2);
  assert.ok(near(s0.p50, 20.5) && near(s0.max, 300), JSON.stringify(s0));
  const big = percentilesMs(addEncoded(h.seconds.map((s) => s.latency.gte1mb).filter((x): x is string => !!x)));
  assert.equal(big.count, 2);
  assert.ok(near(big.max, 10000), 'timeouts are in the tail, not left out');
  assert.equal(h.seconds[2]!.latency.gte1mb, undefined, 'a class without samples in a second has no histogram there');
});

test('the History is judged by the nines checkers like any other run', () => {
  const h = k6PointsToHistory(lines, { scenario: 'smoke', seed: 42, durationS: 3 });
  const v = checkSlas(h, [
    { metric: 'errors', threshold: 'count<=3' },
    { metric: 'dropped', threshold: 'count<1' },
    { metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(50)<60' },
  ]);
  assert.deepEqual(v.results.map((r) => r.valid), [true, false, true]);
});

test('without durationS the history runs to the last sample; startedAt and okStatuses can be given', () => {
  const h = k6PointsToHistory(lines, { scenario: 'smoke', seed: 1 });
  assert.equal(h.seconds.length, 3);
  const shifted = k6PointsToHistory(lines, { scenario: 'smoke', seed: 1, startedAt: '2024-05-09T12:34:46.000Z', okStatuses: [200, 503] });
  assert.equal(shifted.seconds[0]!.sent, 5, 'everything before startedAt lands in second 0');
  assert.equal(shifted.seconds[0]!.ok, 3);
  const clamped = k6PointsToHistory(lines, { scenario: 'smoke', seed: 1, durationS: 1 });
  assert.equal(clamped.seconds.length, 1);
  assert.equal(clamped.seconds[0]!.sent, 105, 'samples past the profile land in its last second, as in the nines engine');
  const empty = k6PointsToHistory([], { scenario: 'smoke', seed: 1, durationS: 2 });
  assert.deepEqual(empty.seconds.map((s) => [s.sent, Object.keys(s.latency)]), [[0, ['all']], [0, ['all']]]);
});

test('failures beyond the limit are counted, not kept', () => {
  const h = k6PointsToHistory(lines, { scenario: 'smoke', seed: 1, failuresLimit: 2 });
  assert.equal(h.failures.length, 2);
  assert.equal(h.measurements?.failuresOmitted, 3);
});
