import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, haTopology, resilienceSlas } from '../harness/scenario/defaults.ts';

/** 100 ms ± 50 ms added between api servers and the broker: slower, never failing. */
const apiBrokerLatency: Scenario = {
  name: 'api-broker-latency',
  description: 'latency 100 ms with 50 ms jitter on api -> broker: every request still served, p99 within SLA',
  kind: 'chaos',
  seed: 14,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'api->broker latency', atS: 4, forS: 8, fault: { kind: 'toxic', path: 'api-leader', toxic: 'latency', attributes: { latency: 100, jitter: 50 } } }],
  slas: [{ metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(99)<500' }, { metric: 'errors', threshold: 'rate<0.001' }, ...resilienceSlas],
  quick: chaosQuick,
};
export default apiBrokerLatency;
