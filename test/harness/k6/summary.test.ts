// k6's --summary-export file, in the shape k6's documentation gives (trend, counter, rate
// and gauge stats; thresholds as a map whose boolean is true when the threshold FAILED).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseK6Summary } from '../../../harness/k6/summary.ts';

const documented = {
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
  metrics: {
    http_req_duration: { avg: 144.56, min: 104.11, med: 110.47, max: 1140.2, 'p(90)': 203.54, 'p(95)': 215.95, 'p(99)': 612.3, thresholds: { 'p(99)<500': true, 'p(95)<800': false } },
    'http_req_duration{size_class:lt1mb}': { avg: 120.1, min: 104.11, med: 109.9, max: 480.0, 'p(90)': 150.2, 'p(95)': 180.3, 'p(99)': 410.9, thresholds: { 'p(99)<500': false } },
    http_req_failed: { passes: 0, fails: 180, value: 0, thresholds: { 'rate<0.001': false } },
    http_reqs: { count: 180, rate: 4.36938 },
    vus: { value: 1, min: 1, max: 19 },
    dropped_iterations: { count: 3, rate: 0.07 },
  },
};

test('thresholds read the right way round: true in the file means the threshold failed', () => {
  const s = parseK6Summary(documented);
  assert.deepEqual(s.thresholds, [
    { metric: 'http_req_duration', expression: 'p(99)<500', ok: false },
    { metric: 'http_req_duration', expression: 'p(95)<800', ok: true },
    { metric: 'http_req_duration{size_class:lt1mb}', expression: 'p(99)<500', ok: true },
    { metric: 'http_req_failed', expression: 'rate<0.001', ok: true },
  ]);
});

test('every numeric stat of every metric kind is kept by name', () => {
  const s = parseK6Summary(documented);
  assert.equal(s.stats['http_req_duration']!['p(99)'], 612.3);
  assert.equal(s.stats['http_reqs']!['count'], 180);
  assert.equal(s.stats['http_req_failed']!['fails'], 180);
  assert.equal(s.stats['vus']!['max'], 19);
  assert.equal(s.stats['dropped_iterations']!['count'], 3);
  assert.equal('thresholds' in s.stats['http_req_duration']!, false);
});

test('a file of another shape is refused with the path that does not fit', () => {
  assert.throws(() => parseK6Summary({ metrics: { http_reqs: { count: 'many' } } }, 'summary.json'), (e: Error & { code?: string }) => e.code === 'ERR_K6_SUMMARY' && /metrics\.http_reqs\.count/.test(e.message));
  assert.throws(() => parseK6Summary({ state: {} }), /metrics/);
  assert.throws(() => parseK6Summary({ metrics: { x: { p: { q: 1 } } } }), /ERR_K6_SUMMARY|not a k6/);
});
