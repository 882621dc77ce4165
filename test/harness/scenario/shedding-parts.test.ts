/**
 * The pure parts behind the shedding scenarios: how a refusal is recognised as one a client
 * can act on, how tenant groups interleave, how named stages become windows, and how
 * goodput is compared with the capacity measured in the same run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusalHeadersOk } from '../../../harness/load/refusal.ts';
import { tenantCycle } from '../../../harness/scenario/tenants.ts';
import { phaseWindows } from '../../../harness/scenario/phases.ts';
import { goodput } from '../../../harness/scenario/goodput.ts';
import type { History } from '../../../harness/load/history.ts';
import type { Profile } from '../../../harness/model/scenario.ts';

test('a refusal counts as actionable only with problem+json and Retry-After', () => {
  const raw = (...kv: string[]) => kv.map((x) => Buffer.from(x));
  assert.equal(refusalHeadersOk(raw('Content-Type', 'application/problem+json', 'Retry-After', '1')), true);
  assert.equal(refusalHeadersOk(raw('content-type', 'application/problem+json; charset=utf-8', 'retry-after', '2')), true);
  assert.equal(refusalHeadersOk(raw('Content-Type', 'text/html', 'Retry-After', '1')), false);
  assert.equal(refusalHeadersOk(raw('Content-Type', 'application/problem+json')), false);
  assert.equal(refusalHeadersOk(null), false);
});

test('tenant groups interleave evenly by share, and a group takes its tenants in turn', () => {
  const cycle = tenantCycle(
    [
      { name: 'a', share: 500, keys: ['a1'] },
      { name: 'b', share: 1, keys: ['b1', 'b2'] },
    ],
    5010,
  );
  const bs = cycle.flatMap((c, i) => (c.group === 'b' ? [i] : []));
  assert.equal(bs.length, 10, 'b gets 1 in 501');
  // Evenly spread: the gaps between b's requests are all 501.
  assert.deepEqual(new Set(bs.slice(1).map((x, i) => x - bs[i]!)), new Set([501]));
  assert.deepEqual(bs.slice(0, 4).map((i) => cycle[i]!.key), ['b1', 'b2', 'b1', 'b2']);
});

test('named stages become windows; consecutive stages of one name are one window', () => {
  const p: Profile = {
    kind: 'ramping',
    startRate: 10,
    stages: [
      { rate: 10, durationS: 5 },
      { rate: 1000, durationS: 1, phase: 'flood' },
      { rate: 1000, durationS: 10, phase: 'flood' },
      { rate: 10, durationS: 5 },
    ],
  };
  assert.deepEqual(phaseWindows(p), [{ name: 'flood', startMs: 5000, endMs: 16_000 }]);
  assert.deepEqual(phaseWindows({ kind: 'constant', rate: 1, durationS: 1 }), []);
});

test('goodput: completed/s in the flood against the capacity phase, edges left out', () => {
  const p: Profile = { kind: 'ramping', startRate: 100, stages: [{ rate: 100, durationS: 6, phase: 'capacity' }, { rate: 1000, durationS: 6, phase: 'flood' }] };
  // Capacity seconds 2..4 complete 50/s; flood seconds 8..10 complete 45/s; edges are noise.
  const ok = [0, 10, 50, 50, 50, 99, 0, 0, 45, 45, 45, 0];
  const h = { seconds: ok.map((n, t) => ({ t, sent: 0, ok: n, failed: {}, dropped: 0, latency: {} })) } as unknown as History;
  assert.deepEqual(goodput(h, p), { capacity: 50, goodput: 45, ratio: 0.9 });
  assert.equal(goodput(h, { kind: 'constant', rate: 1, durationS: 12 }), undefined);
});
