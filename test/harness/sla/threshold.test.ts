import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holds, parseThreshold } from '../../../harness/sla/threshold.ts';
import { ThresholdSyntaxError } from '../../../harness/sla/errors.ts';

test('parses every k6 aggregation form', () => {
  assert.deepEqual(parseThreshold('p(99)<500'), { source: 'p(99)<500', aggregation: 'p', percentile: 99, op: '<', value: 500 });
  assert.deepEqual(parseThreshold('p(99.9)<=800'), { source: 'p(99.9)<=800', aggregation: 'p', percentile: 99.9, op: '<=', value: 800 });
  assert.equal(parseThreshold('avg<200').aggregation, 'avg');
  assert.equal(parseThreshold('med<100').aggregation, 'med');
  assert.equal(parseThreshold('min>0').aggregation, 'min');
  assert.deepEqual(parseThreshold('max<2000'), { source: 'max<2000', aggregation: 'max', op: '<', value: 2000 });
  assert.deepEqual(parseThreshold('rate<0.001'), { source: 'rate<0.001', aggregation: 'rate', op: '<', value: 0.001 });
  assert.deepEqual(parseThreshold('count>100'), { source: 'count>100', aggregation: 'count', op: '>', value: 100 });
  assert.equal(parseThreshold('value<5').aggregation, 'value');
});

test('accepts whitespace, every operator, and k6 === as ==', () => {
  const t = parseThreshold('  p( 95 )  <  200 ');
  assert.equal(t.percentile, 95);
  assert.equal(t.value, 200);
  assert.equal(t.source, 'p( 95 )  <  200');
  for (const op of ['<', '<=', '>', '>=', '==', '!=']) assert.equal(parseThreshold(`count${op}3`).op, op);
  assert.equal(parseThreshold('count===3').op, '==');
  assert.equal(parseThreshold('rate<1e-3').value, 0.001);
  assert.equal(parseThreshold('p(0)>=.5').value, 0.5);
});

test('rejects garbage with an error that says what is wrong and what to write', () => {
  const cases: Array<[string, RegExp]> = [
    ['p99<500', /unknown aggregation "p99"/],
    ['p(abc)<5', /percentile "abc" is not a number/],
    ['p(101)<5', /outside 0\.\.100/],
    ['avg 200', /unknown operator at "200"/],
    ['avg<', /missing number/],
    ['avg<fast', /"fast" is not a number/],
    ['avg=<3', /unknown operator/],
    ['', /missing aggregation/],
    ['mean<3', /unknown aggregation "mean"/],
    ['avg<3ms', /"3ms" is not a number/],
    ['avg<3 || 1', /is not a number/],
  ];
  for (const [src, re] of cases) {
    assert.throws(
      () => parseThreshold(src),
      (err: unknown) => {
        assert.ok(err instanceof ThresholdSyntaxError, src);
        assert.equal(err.code, 'ERR_SLA_THRESHOLD');
        assert.match(err.message, re, src);
        assert.match(err.message, /e\.g\. p\(99\)<500/);
        return true;
      },
    );
  }
});

test('holds compares with the parsed operator', () => {
  assert.equal(holds(parseThreshold('p(99)<500'), 499.9), true);
  assert.equal(holds(parseThreshold('p(99)<500'), 500), false);
  assert.equal(holds(parseThreshold('p(99)<=500'), 500), true);
  assert.equal(holds(parseThreshold('count>100'), 100), false);
  assert.equal(holds(parseThreshold('count>=100'), 100), true);
  assert.equal(holds(parseThreshold('count==0'), 0), true);
  assert.equal(holds(parseThreshold('count!=0'), 0), false);
});
