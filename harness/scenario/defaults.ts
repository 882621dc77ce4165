/**
 * Shared parts of the chaos scenarios, so each scenario file states only what differs:
 * a steady load of small real images through HAProxy on the 'ha' topology, and the SLAs a
 * failover must meet. (Latency p99 < 500 ms is a monthly promise; a run that contains a
 * deliberate failover is judged on availability, recovery and lost work instead.)
 */
import type { HaTopologySpec, LoadSpec } from '../model/scenario.ts';

export const haTopology: HaTopologySpec = { kind: 'ha', brokers: 2, apis: 2, workers: 2, workerConcurrency: 1, env: { api: { NINES_API_TENANT_MAX_INFLIGHT: '256' } } };

export const chaosLoad: LoadSpec = {
  profile: { kind: 'constant', rate: 20, durationS: 30 },
  images: [{ fixture: 'concert.jpg', weight: 3 }, { fixture: 'flowers.jpeg', weight: 1 }],
  query: 'width=100',
  timeoutMs: 6000,
};

// Long enough after the latest heal (12 s) for the recovery check's 3 stable seconds.
export const chaosQuick = { profile: { kind: 'constant' as const, rate: 10, durationS: 18 } };

/** No accepted request lost or hung, service recovered soon after the fault, and never two leaders dispatching in a shard. */
export const resilienceSlas = [
  { metric: 'measurement', name: 'lostAccepted', threshold: 'value<1', label: 'no accepted request lost or hung' },
  { metric: 'recovery', maxSeconds: 5, minAvailability: 0.99 },
  { metric: 'fencing' },
];

/**
 * The broker failover SLAs: under 5 s (the project's failover target; README.md, "Leader
 * election and failover", has the measured times), nothing lost, recovered.
 */
export const failoverSlas = [{ metric: 'measurement', name: 'failoverSeconds', threshold: 'value<5', label: 'failover under 5 s' }, ...resilienceSlas];
