import type { Scenario } from '../harness/model/scenario.ts';

/**
 * 10,000 requests/s offered by one tenant to one machine whose capacity is about a hundred
 * small resizes/s: HAProxy (deploy/haproxy/haproxy.cfg) and the api shed the excess fast
 * (429/503 problem+json with Retry-After), admitted requests keep their latency, nothing
 * crashes, and the normal rate is served again within 2 s of the flood.
 */
const overload: Scenario = {
  name: 'overload',
  description: '10,000 req/s offered for 30 s: excess refused fast, admitted work on time, no crash, served again within 2 s',
  kind: 'capacity',
  seed: 4,
  topology: { kind: 'local', workers: 1, lb: { serverMaxConn: 32, keyMaxRate: 300 }, pin: true },
  load: {
    profile: {
      kind: 'ramping',
      startRate: 10,
      stages: [
        { rate: 10, durationS: 5 },
        { rate: 10_000, durationS: 1, phase: 'flood' },
        { rate: 10_000, durationS: 30, phase: 'flood' },
        { rate: 10, durationS: 1, phase: 'flood' },
        { rate: 10, durationS: 10 },
      ],
    },
    // A small image (4.8 KB): a flood is many small requests, and the load engine has to
    // send 10,000 of them a second from one core of this 2-core machine.
    images: [{ fixture: 'Flag_of_the_Netherlands-16bit.png' }],
    query: 'width=100',
    timeoutMs: 5000,
    maxInFlight: 5000,
    // Enough for 10,000 req/s while a refusal takes a few ms (~20 busy at a time), with room
    // for a slow second. 2,000 were tried: whenever replies were late the engine opened
    // hundreds of new connections and fell behind its own schedule (send lag p99 99 ms),
    // so the run measured the engine (README "Overload").
    connections: 256,
  },
  faults: [],
  slas: [
    { metric: 'latency', sizeClass: 'refused', threshold: 'p(99)<=50', label: 'refusals (429/503) p99 <= 50 ms' },
    { metric: 'measurement', name: 'bareRefusals', threshold: 'value<1', label: 'every refusal is problem+json with Retry-After' },
    { metric: 'latency', sizeClass: 'admitted', threshold: 'p(99)<500', label: 'admitted requests p99 < 500 ms' },
    { metric: 'measurement', name: 'processesDown', threshold: 'value<1', label: 'no process crashed or restarted' },
    { metric: 'recovery', faults: ['flood'], maxSeconds: 2, stableSeconds: 3, minAvailability: 0.99, label: 'normal service within 2 s after the flood' },
    { metric: 'dropped', threshold: 'rate<0.01' },
  ],
  quick: {
    profile: {
      kind: 'ramping',
      startRate: 10,
      stages: [
        { rate: 10, durationS: 2 },
        { rate: 2000, durationS: 1, phase: 'flood' },
        { rate: 2000, durationS: 3, phase: 'flood' },
        { rate: 10, durationS: 1, phase: 'flood' },
        { rate: 10, durationS: 5 },
      ],
    },
  },
};
export default overload;
