import type { Scenario } from '../harness/model/scenario.ts';

/**
 * Tenant A floods (10,000 req/s against its limit of 100/s) while tenant B sends its
 * steady 20 req/s: B must not notice (p99 < 500 ms, no errors), A gets fast 429s
 * (most from HAProxy's per-key cap, the rest from the api's token bucket), and the api's
 * memory stays bounded.
 */
const noisyNeighbour: Scenario = {
  name: 'noisy-neighbour',
  description: 'tenant A offers 10,000 req/s, tenant B 20 req/s: B p99 < 500 ms with 0 errors, A gets fast 429s, api RSS bounded',
  kind: 'capacity',
  seed: 15,
  // 64 slots per api server in HAProxy: A's 16 admitted requests (its in-flight limit) are
  // slow to finish when the worker is busy, and with 32 B's requests found no slot free
  // within the 20 ms queue timeout (6-13 of 24 got 503). The api's own limits still bound
  // what it admits.
  topology: { kind: 'local', workers: 1, lb: { serverMaxConn: 64 }, pin: true },
  load: {
    // The flood starts on a running system (3 s of light traffic first): a neighbour turns
    // noisy; the stack is not cold-started into it. Measured without the lead-in (14:48 UTC,
    // quiet machine): the flood's first second had 564 503s and a refusal p99 of 165 ms while
    // 256 connections were opened at once; the seconds after it, 7-70 ms.
    profile: {
      kind: 'ramping',
      startRate: 100,
      stages: [
        { rate: 100, durationS: 3 },
        { rate: 10_020, durationS: 1, phase: 'flood' },
        { rate: 10_020, durationS: 30, phase: 'flood' },
      ],
    },
    images: [{ fixture: 'concert.jpg' }],
    query: 'width=100',
    timeoutMs: 5000,
    maxInFlight: 5000,
    connections: 256, // see overload.ts
    tenants: [
      { name: 'a', ratePerSec: 100, burst: 100, share: 10_000 },
      { name: 'b', ratePerSec: 50, burst: 50, share: 20 },
    ],
  },
  faults: [],
  slas: [
    { metric: 'latency', sizeClass: 'b', threshold: 'p(99)<500', label: "tenant B's p99 < 500 ms" },
    { metric: 'measurement', name: 'failed:b', threshold: 'value<1', label: 'tenant B: no errors' },
    { metric: 'latency', sizeClass: 'refused', threshold: 'p(99)<=50', label: "tenant A's refusals p99 <= 50 ms" },
    { metric: 'measurement', name: 'bareRefusals', threshold: 'value<1', label: 'every refusal is problem+json with Retry-After' },
    { metric: 'measurement', name: 'apiRssPeakMb', threshold: 'value<400', label: 'api RSS < 400 MiB' },
    { metric: 'measurement', name: 'processesDown', threshold: 'value<1', label: 'no process crashed' },
  ],
  quick: {
    profile: {
      kind: 'ramping',
      startRate: 100,
      stages: [
        { rate: 100, durationS: 2 },
        { rate: 2_004, durationS: 1, phase: 'flood' },
        { rate: 2_004, durationS: 6, phase: 'flood' },
      ],
    },
  },
};
export default noisyNeighbour;
