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
    profile: { kind: 'constant', rate: 10_020, durationS: 30 },
    images: [{ fixture: 'concert.jpg' }],
    query: 'width=100',
    timeoutMs: 5000,
    maxInFlight: 5000,
    connections: 2000, // a flood is many clients (see overload.ts)
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
  quick: { profile: { kind: 'constant', rate: 2_004, durationS: 6 } },
};
export default noisyNeighbour;
