import type { Scenario } from '../harness/model/scenario.ts';

/**
 * The overload flood spread over 20 tenants, each within its own rate (500 req/s against a
 * limit of 600): no tenant limit binds, so only the stack's own capacity can. First the
 * stack is offered a little over what it can do, which measures its capacity in this run;
 * then the flood. Goodput during the flood must stay near that capacity (the api admits
 * about what the workers can do and refuses the rest at once), admitted work on time.
 */
const overloadManyTenants: Scenario = {
  name: 'overload-many-tenants',
  description: '10,000 req/s from 20 tenants, each within its rate: goodput >= 0.9 x the capacity measured in the same run, admitted p99 < 500 ms',
  kind: 'capacity',
  seed: 14,
  topology: { kind: 'local', workers: 1, lb: { serverMaxConn: 32 }, pin: true },
  load: {
    profile: {
      kind: 'ramping',
      startRate: 300,
      stages: [
        { rate: 300, durationS: 10, phase: 'capacity' },
        { rate: 10_000, durationS: 1, phase: 'flood' },
        { rate: 10_000, durationS: 30, phase: 'flood' },
        { rate: 10, durationS: 1 },
        { rate: 10, durationS: 5 },
      ],
    },
    images: [{ fixture: 'concert.jpg' }],
    query: 'width=100',
    timeoutMs: 5000,
    maxInFlight: 5000,
    connections: 256, // see overload.ts
    tenants: [{ name: 'tenant', count: 20, ratePerSec: 600, burst: 600, share: 1 }],
  },
  faults: [],
  probes: ['goodput'],
  slas: [
    { metric: 'measurement', name: 'goodputRatio', threshold: 'value>=0.9', label: 'goodput during the flood >= 0.9 x capacity' },
    { metric: 'latency', sizeClass: 'admitted', threshold: 'p(99)<500', label: 'admitted requests p99 < 500 ms' },
    { metric: 'latency', sizeClass: 'refused', threshold: 'p(99)<=50', label: 'refusals (429/503) p99 <= 50 ms' },
    { metric: 'measurement', name: 'bareRefusals', threshold: 'value<1', label: 'every refusal is problem+json with Retry-After' },
    { metric: 'measurement', name: 'processesDown', threshold: 'value<1', label: 'no process crashed' },
  ],
  quick: {
    profile: {
      kind: 'ramping',
      startRate: 300,
      stages: [
        { rate: 300, durationS: 5, phase: 'capacity' },
        { rate: 2000, durationS: 1, phase: 'flood' },
        { rate: 2000, durationS: 5, phase: 'flood' },
        { rate: 10, durationS: 1 },
        { rate: 10, durationS: 2 },
      ],
    },
  },
};
export default overloadManyTenants;
