/**
 * The decode scale the JPEG fast path uses is sharp's own choice (src/pipeline.cc): the
 * shrink per fit, the largest power-of-two scale not above it, and one step less when the
 * shrink's whole part equals that scale. Sizes from the fixtures and the benches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planShrinkOnLoad, resolveShrink } from '../../../system/worker/shrink-on-load.ts';

test('the shrink per axis follows the fit: cover/outside take the smaller, contain/inside the larger, fill each', () => {
  assert.deepEqual(resolveShrink(2000, 1000, { width: 100, height: 100, fit: 'cover' }), { h: 10, v: 10 });
  assert.deepEqual(resolveShrink(2000, 1000, { width: 100, height: 100, fit: 'outside' }), { h: 10, v: 10 });
  assert.deepEqual(resolveShrink(2000, 1000, { width: 100, height: 100, fit: 'contain' }), { h: 20, v: 20 });
  assert.deepEqual(resolveShrink(2000, 1000, { width: 100, height: 100, fit: 'inside' }), { h: 20, v: 20 });
  assert.deepEqual(resolveShrink(2000, 1000, { width: 100, height: 100, fit: 'fill' }), { h: 20, v: 10 });
  assert.deepEqual(resolveShrink(2000, 1000, { width: 100, fit: 'cover' }), { h: 20, v: 20 });
  assert.deepEqual(resolveShrink(2000, 1000, { height: 100, fit: 'inside' }), { h: 10, v: 10 });
  assert.deepEqual(resolveShrink(2000, 1000, { width: 100, fit: 'fill' }), { h: 20, v: 1 }, 'fill with one side keeps the other');
  assert.deepEqual(resolveShrink(2000, 3, { width: 1, height: 1, fit: 'fill' }), { h: 2000, v: 3 }, 'never below one pixel');
});

test('the photo to 320 px decodes at 1/4, not 1/8: sharp steps back when the shrink (8.5) has the scale as its whole part', () => {
  assert.deepEqual(planShrinkOnLoad(2725, 2225, { width: 320, fit: 'cover' }), {
    denom: 4,
    decoded: { width: 682, height: 557 },
    loaded: { width: 681, height: 556 },
  });
  assert.equal(planShrinkOnLoad(2725, 2225, { width: 300, fit: 'cover' })?.denom, 8, 'a shrink of 9.1 takes 1/8');
  assert.equal(planShrinkOnLoad(1600, 1306, { width: 320, fit: 'cover' })?.denom, 4, 'the reference: a shrink of 5 takes 1/4');
  assert.equal(planShrinkOnLoad(1000, 1000, { width: 300, fit: 'cover' })?.denom, 2, '3.3 takes 1/2');
  assert.equal(planShrinkOnLoad(1000, 1000, { width: 400, fit: 'cover' })?.denom, undefined, '2.5: 1/2 stepped back to none');
});

test('no scaled decode when the image is not shrunk at least twofold on both axes', () => {
  assert.equal(planShrinkOnLoad(600, 450, { width: 320, fit: 'cover' }), undefined);
  assert.equal(planShrinkOnLoad(100, 100, { width: 400, fit: 'cover' }), undefined, 'enlargement');
  assert.equal(planShrinkOnLoad(2000, 1000, { width: 100, fit: 'fill' }), undefined, 'fill with one side: the other is not shrunk');
  assert.equal(planShrinkOnLoad(2000, 1000, { fit: 'cover' }), undefined, 'no size asked');
});
