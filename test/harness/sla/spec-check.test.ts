import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSlas, parseSlas, SlaSpecError, type SlaSpec } from '../../../harness/sla/index.ts';
import { history, seconds } from './helpers.ts';

test('a bad spec is an error listing every problem with its path', () => {
  assert.throws(
    () =>
      parseSlas([
        { metric: 'latency', threshold: 'p99<500' },
        { metric: 'throughput', threshold: 'rate>10' },
        { metric: 'availability', window: '10x', min: 2 },
        { metric: 'errors', threshold: 'avg<3', extra: true },
        { metric: 'recovery', maxSeconds: 5, latency: { threshold: 'p(101)<3' } },
      ]),
    (err: unknown) => {
      assert.ok(err instanceof SlaSpecError);
      assert.equal(err.code, 'ERR_SLA_SPEC');
      const p = err.problems.join('\n');
      assert.match(p, /slas\[0\]\.threshold: invalid threshold "p99<500": unknown aggregation "p99"/);
      assert.match(p, /slas\[1\]\.metric: .*latency.*errors/);
      assert.match(p, /slas\[2\]\.window: "10x" is not a duration/);
      assert.match(p, /slas\[2\]\.min: /);
      assert.match(p, /slas\[3\]\.threshold: aggregation avg does not apply here; use one of rate, count/);
      assert.match(p, /slas\[3\]: Unrecognized key: "extra"/);
      assert.match(p, /slas\[4\]\.latency\.threshold: .*percentile 101 is outside 0\.\.100/);
      assert.equal(err.problems.length, 7);
      return true;
    },
  );
  assert.throws(() => parseSlas([]), /state at least one SLA/);
  assert.throws(() => parseSlas([{ metric: 'availability', window: '500ms', min: 0.9 }]), /not a duration/);
  assert.throws(() => parseSlas([{ metric: 'availability', window: 0.5, min: 0.9 }]), /whole number of seconds/);
});

test('defaults are filled in and windows become seconds', () => {
  const [lat, avail, rec] = parseSlas([
    { metric: 'latency', threshold: 'p(99)<500' },
    { metric: 'availability', window: '1m30s', min: 0.999 },
    { metric: 'recovery', maxSeconds: 5 },
  ]);
  assert.equal(lat?.metric === 'latency' && lat.sizeClass, 'all');
  assert.equal(avail?.metric === 'availability' && avail.window, 90);
  assert.deepEqual(rec, { metric: 'recovery', maxSeconds: 5, stableSeconds: 3, minAvailability: 0.99 });
});

const slas: SlaSpec[] = [
  { metric: 'latency', sizeClass: 'all', threshold: 'p(99)<500' },
  { metric: 'latency', threshold: 'p(99)<500', label: 'twin' },
  { metric: 'latency', threshold: 'p(99)<500', label: 'twin' },
  { metric: 'errors', threshold: 'rate<0.001' },
  { metric: 'dropped', threshold: 'count<1' },
  { metric: 'availability', window: '10s', min: 0.999 },
  { metric: 'errorBudget', slo: 0.999, maxShare: 0.1 },
  { metric: 'measurement', name: 'failoverSeconds', threshold: 'value<5' },
];

test('checkSlas composes every SLA; an unrecorded measurement makes the run unknown, a breach makes it fail', () => {
  const clean = history(seconds(0, 20, () => ({ ok: 100 })));
  const v = checkSlas(clean, slas);
  assert.equal(v.valid, 'unknown');
  assert.deepEqual(
    v.results.map((r) => [r.name, r.valid]),
    [
      ['latency p(99) · all', true],
      ['twin', true],
      ['twin #2', true],
      ['error rate', true],
      ['dropped requests', true],
      ['availability · 10 s windows', true],
      ['error budget · SLO 99.9 %', true],
      ['failoverSeconds', 'unknown'],
    ],
  );
  assert.equal(checkSlas(history(clean.seconds, [], { failoverSeconds: 2 }), slas).valid, true);
  const broken = history(seconds(0, 20, (t) => (t === 3 ? { ok: 90, dropped: 10 } : { ok: 100 })), [], { failoverSeconds: 2 });
  const b = checkSlas(broken, slas);
  assert.equal(b.valid, false);
  assert.deepEqual(
    b.results.filter((r) => r.valid !== true).map((r) => r.name),
    ['dropped requests', 'availability · 10 s windows', 'error budget · SLO 99.9 %'],
  );
});

test('a corrupt histogram makes the latency checks unknown, never a pass, and leaves the others judged', () => {
  const h = history(seconds(0, 20, () => ({ ok: 100 })), [], { failoverSeconds: 2 });
  h.seconds[7]!.latency.all = 'not-a-histogram';
  const v = checkSlas(h, slas);
  assert.equal(v.valid, 'unknown');
  const lat = v.results[0]!;
  assert.equal(lat.valid, 'unknown');
  assert.match(lat.reason ?? '', /checker threw: cannot decode latency histogram at second 7, class all/);
  assert.equal(lat.threshold, 'p(99)<500 ms');
  assert.equal(v.results[3]!.valid, true);
});
