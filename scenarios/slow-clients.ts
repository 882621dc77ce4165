import type { Scenario } from '../harness/model/scenario.ts';

/**
 * 1,000 connections trickling their headers or bodies a byte a second (slowloris) beside
 * normal traffic: HAProxy cuts them by its timeouts (a request head must arrive within
 * 5 s; a body must fill the buffer or arrive whole within 5 s), normal traffic keeps its
 * SLA, and the api's memory stays bounded.
 */
const slowClients: Scenario = {
  name: 'slow-clients',
  description: '1,000 slow connections (a byte a second) plus 20 req/s of normal traffic: normal traffic within SLA, slow ones cut, api RSS bounded',
  kind: 'capacity',
  seed: 16,
  topology: { kind: 'local', workers: 1, lb: { serverMaxConn: 32 }, pin: true },
  load: {
    profile: { kind: 'constant', rate: 20, durationS: 30 },
    images: [{ fixture: 'concert.jpg', weight: 3 }, { fixture: 'flowers.jpeg', weight: 1 }],
    query: 'width=200&format=webp',
    timeoutMs: 5000,
  },
  slowClients: { connections: 1000 },
  faults: [],
  slas: [
    { metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(99)<500', label: 'normal traffic p99 < 500 ms' },
    { metric: 'errors', threshold: 'rate<0.001', label: 'normal traffic: errors < 0.1 %' },
    { metric: 'measurement', name: 'slowClientsStillOpen', threshold: 'value<1', label: 'every slow connection was cut' },
    { metric: 'measurement', name: 'slowClientsCutAfterMaxS', threshold: 'value<=10', label: 'slow connections cut within 10 s' },
    { metric: 'measurement', name: 'apiRssPeakMb', threshold: 'value<400', label: 'api RSS < 400 MiB' },
    { metric: 'measurement', name: 'processesDown', threshold: 'value<1', label: 'no process crashed' },
  ],
  quick: { profile: { kind: 'constant', rate: 10, durationS: 12 } },
};
export default slowClients;
