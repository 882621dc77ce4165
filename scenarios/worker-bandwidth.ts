import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, haTopology, resilienceSlas } from '../harness/scenario/defaults.ts';

/**
 * The worker's inbound paths squeezed to 1 MB/s: jobs from the broker (small images ride
 * in the job) and claim-checked images fetched from the api servers. Transfers slow,
 * nothing fails.
 */
const workerBandwidth: Scenario = {
  name: 'worker-bandwidth',
  description: 'bandwidth into the worker (from the broker and from the api blob ports) limited to 1000 KB/s: slower resizes, no errors',
  kind: 'chaos',
  seed: 15,
  topology: haTopology,
  load: chaosLoad,
  faults: [
    { name: 'broker -> worker 1000 KB/s', atS: 4, forS: 8, fault: { kind: 'toxic', path: 'worker-leader', toxic: 'bandwidth', attributes: { rate: 1000 } } },
    { name: 'api blobs -> worker 1000 KB/s', atS: 4, forS: 8, fault: { kind: 'toxic', path: 'worker-blobs', toxic: 'bandwidth', attributes: { rate: 1000 } } },
  ],
  slas: [{ metric: 'errors', threshold: 'rate<0.001' }, ...resilienceSlas],
  quick: chaosQuick,
};
export default workerBandwidth;
