import type { Scenario } from '../harness/model/scenario.ts';

/** The whole path works and meets the latency SLA at a gentle rate. */
const smoke: Scenario = {
  name: 'smoke',
  description: 'a gentle constant rate of mixed real images on the embedded topology; every request served within SLA',
  kind: 'capacity',
  seed: 1,
  topology: { kind: 'local', workers: 1 },
  load: {
    profile: { kind: 'constant', rate: 10, durationS: 20 },
    images: [{ fixture: 'flowers.jpeg', weight: 3 }, { fixture: 'concert.jpg', weight: 3 }, { fixture: 'with-alpha.png', weight: 1 }, { fixture: 'Landscape_6.jpg', weight: 1 }],
    query: 'width=200&format=webp',
    timeoutMs: 5000,
  },
  faults: [],
  slas: [
    { metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(99)<500' },
    { metric: 'errors', threshold: 'rate<0.001' },
    { metric: 'dropped', threshold: 'count<1' },
  ],
  quick: { profile: { kind: 'constant', rate: 5, durationS: 6 } },
};
export default smoke;
