import type { Scenario } from '../harness/model/scenario.ts';

/**
 * 70 % of the measured capacity, held: every SLA must hold. `nines scenario capacity` measured
 * 52-54 resizes/s held for 5 s on the project's 2-core machine (README, Measured); 38/s held for
 * a minute with p99 81 ms.
 */
const steady: Scenario = {
  name: 'steady',
  description: '70 % of measured capacity held for a minute; latency, errors and availability within SLA',
  kind: 'capacity',
  seed: 3,
  topology: { kind: 'local', workers: 1 },
  load: {
    profile: { kind: 'constant', rate: 38, durationS: 60 },
    images: [{ fixture: '2569067123_aca715a2ee_o.jpg' }],
    query: 'width=320&format=jpeg',
    timeoutMs: 5000,
  },
  faults: [],
  slas: [
    { metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(99)<500' },
    { metric: 'errors', threshold: 'rate<0.001' },
    { metric: 'availability', window: '10s', min: 0.999 },
  ],
  quick: { profile: { kind: 'constant', rate: 15, durationS: 10 } },
};
export default steady;
