/**
 * The requests of a scenario's load: fixture images picked by weight in an order fixed by
 * the seed (so a run can be repeated), each body read once and reused, tagged with its
 * size class for the latency SLA (`lt1mb`: the article's "images under 1 MB").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestFactory, RequestSpec } from '../load/engine.ts';
import type { LoadSpec } from '../model/scenario.ts';
// The api labels its request histogram with the same classes (the server-side latency SLI).
import { sizeClassOf } from '../../system/api/size-class.ts';

/** Mulberry32: a tiny seeded PRNG; enough to shuffle deterministically. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function requestFactory(load: LoadSpec, fixturesDir: string, apiKey: string, seed: number): RequestFactory {
  const path = `/v1/resize?${load.query}`;
  const specs: RequestSpec[] = load.images.map((img) => {
    const body = readFileSync(join(fixturesDir, img.fixture));
    return {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/octet-stream' },
      body,
      sizeClass: sizeClassOf(body.length),
    };
  });
  // A fixed, seeded sequence of picks by weight, cycled: no allocation per request.
  const weights = load.images.map((i) => i.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const rand = prng(seed);
  const order = Array.from({ length: 4096 }, () => {
    let r = rand() * total;
    let i = 0;
    while (r >= weights[i]! && i < weights.length - 1) r -= weights[i++]!;
    return specs[i]!;
  });
  return (seq) => order[seq % order.length]!;
}
