import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, haTopology, resilienceSlas } from '../harness/scenario/defaults.ts';

/** A worker is SIGKILLed mid-job: its jobs are redelivered to the other; nothing lost. */
const workerCrash: Scenario = {
  name: 'worker-crash',
  description: 'SIGKILL a worker under load: its unacked jobs are redelivered, every request answered',
  kind: 'chaos',
  seed: 18,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'kill a worker', atS: 4, forS: 4, fault: { kind: 'kill', target: 'worker', restart: true } }],
  slas: [{ metric: 'errors', threshold: 'rate<0.001' }, ...resilienceSlas],
  quick: chaosQuick,
};
export default workerCrash;
