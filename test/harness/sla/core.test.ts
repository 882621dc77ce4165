import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSafe, compose, mergeVerdicts } from '../../../harness/sla/core.ts';
import type { Checker, Verdict } from '../../../harness/sla/types.ts';
import { steady } from './helpers.ts';

const fixed = (name: string, valid: Verdict): Checker => ({ name, check: () => ({ name, valid }) });
const throwing: Checker = {
  name: 'boom',
  threshold: 'p(99)<500 ms',
  check: () => {
    throw new Error('histogram corrupt');
  },
};

test('checkSafe turns a throw into unknown with the reason, keeping name and threshold', () => {
  const r = checkSafe(throwing).check(steady(1));
  assert.deepEqual(r, { name: 'boom', threshold: 'p(99)<500 ms', valid: 'unknown', reason: 'checker threw: histogram corrupt' });
});

test('checkSafe never lets a malformed result read as a pass', () => {
  for (const bad of [undefined, null, {}, { valid: 1 }, { valid: 'true' }]) {
    const c: Checker = { name: 'sloppy', check: () => bad as never };
    const r = checkSafe(c).check(steady(1));
    assert.equal(r.valid, 'unknown');
    assert.match(r.reason ?? '', /no verdict/);
  }
  const nonError: Checker = {
    name: 'str',
    check: () => {
      throw 'a string';
    },
  };
  assert.equal(checkSafe(nonError).check(steady(1)).reason, 'checker threw: a string');
});

test('mergeVerdicts: false beats unknown beats true; nothing is true', () => {
  assert.equal(mergeVerdicts([]), true);
  assert.equal(mergeVerdicts([true, true]), true);
  assert.equal(mergeVerdicts([true, 'unknown']), 'unknown');
  assert.equal(mergeVerdicts(['unknown', false, true]), false);
  assert.equal(mergeVerdicts([false, 'unknown']), false);
});

test('compose keeps every result and a throwing member makes the whole unknown, not a pass', () => {
  const v = compose([fixed('a', true), throwing, fixed('c', true)]).check(steady(1));
  assert.equal(v.valid, 'unknown');
  assert.deepEqual(
    v.results.map((r) => [r.name, r.valid]),
    [
      ['a', true],
      ['boom', 'unknown'],
      ['c', true],
    ],
  );
  assert.equal(compose([fixed('a', true), throwing, fixed('c', false)]).check(steady(1)).valid, false);
  assert.equal(compose([fixed('a', true), fixed('b', true)]).check(steady(1)).valid, true);
});
