/**
 * How much of a JPEG resize the decoder does: the DCT scale (1/2, 1/4, 1/8) that sharp would
 * pick for this image and target, and the image size its decoder would then hand on.
 *
 * The choice is sharp's own (src/pipeline.cc, with its default `fastShrinkOnLoad`), so the
 * fast path decodes the same picture sharp would and resizes it by the same residual: the
 * output has sharp's dimensions and sharp's quality. That includes sharp's caution of not
 * taking a scale equal to the whole part of the shrink (2725 px to 320 is 8.5: 1/4, not 1/8),
 * which leaves more than a box filter's worth of detail for the final Lanczos step. libvips
 * keeps whole decoded pixels only (floor of size/scale); so does `loaded`.
 */
import type { Fit } from '../lib/jobs.ts';
import type { ScaleDenominator } from './turbojpeg.ts';

export interface Target {
  width?: number;
  height?: number;
  fit: Fit;
}

export interface ShrinkPlan {
  denom: ScaleDenominator;
  /** What the decoder writes: ceil(side / denom). */
  decoded: { width: number; height: number };
  /** What sharp's decoder would hand on, and the resize then starts from: floor(side / denom). */
  loaded: { width: number; height: number };
}

/** sharp's shrink factors per axis for a target (its ResolveShrink, without enlargement flags). */
export function resolveShrink(width: number, height: number, t: Target): { h: number; v: number } {
  let h = 1;
  let v = 1;
  if (t.width && t.height) {
    h = width / t.width;
    v = height / t.height;
    if (t.fit === 'cover' || t.fit === 'outside') h = v = Math.min(h, v);
    else if (t.fit === 'contain' || t.fit === 'inside') h = v = Math.max(h, v);
  } else if (t.width) {
    h = width / t.width;
    if (t.fit !== 'fill') v = h;
  } else if (t.height) {
    v = height / t.height;
    if (t.fit !== 'fill') h = v;
  }
  // sharp never shrinks an axis below one pixel
  return { h: Math.min(h, width), v: Math.min(v, height) };
}

/** The decode scale sharp would use for this resize, or undefined when it would decode at full size. */
export function planShrinkOnLoad(width: number, height: number, t: Target): ShrinkPlan | undefined {
  const { h, v } = resolveShrink(width, height, t);
  const shrink = Math.min(h, v);
  let denom = shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1;
  if (denom > 1 && Math.trunc(shrink) === denom) denom /= 2;
  if (denom === 1) return undefined;
  const d = denom as ScaleDenominator;
  return {
    denom: d,
    decoded: { width: Math.ceil(width / d), height: Math.ceil(height / d) },
    loaded: { width: Math.floor(width / d), height: Math.floor(height / d) },
  };
}
