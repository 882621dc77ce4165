import type { Scenario } from '../harness/model/scenario.ts';

/**
 * 10,000 requests/s offered to one machine whose capacity is a few dozen: the excess must
 * be refused fast (429/503 with Retry-After, so latency stays low), nothing may crash, and
 * the normal rate after the burst must be served again at once.
 */
const overload: Scenario = {
  name: 'overload',
  description: '10,000 req/s offered for 10 s: excess refused fast, no crash, served again right after',
  kind: 'capacity',
  seed: 4,
  topology: { kind: 'local', workers: 1 },
  load: {
    profile: {
      kind: 'ramping',
      startRate: 10,
      stages: [
        { rate: 10, durationS: 5 },
        { rate: 10_000, durationS: 1 },
        { rate: 10_000, durationS: 10 },
        { rate: 10, durationS: 1 },
        { rate: 10, durationS: 10 },
      ],
    },
    images: [{ fixture: 'concert.jpg' }],
    query: 'width=100',
    timeoutMs: 5000,
    maxInFlight: 5000,
  },
  faults: [],
  slas: [
    { metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(99)<500', label: 'refusals and admitted requests are fast' },
    { metric: 'dropped', threshold: 'rate<0.01' },
  ],
  quick: {
    profile: { kind: 'ramping', startRate: 10, stages: [{ rate: 10, durationS: 2 }, { rate: 2000, durationS: 1 }, { rate: 2000, durationS: 3 }, { rate: 10, durationS: 1 }, { rate: 10, durationS: 3 }] },
  },
};
export default overload;
