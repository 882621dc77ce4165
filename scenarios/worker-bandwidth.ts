import type { Scenario } from '../harness/scenario/types.ts';
import { chaosLoad, chaosQuick, haTopology, resilienceSlas } from '../harness/scenario/defaults.ts';

/** The worker -> broker path squeezed to 1 MB/s: image transfer slows, nothing fails. */
const workerBandwidth: Scenario = {
  name: 'worker-bandwidth',
  description: 'bandwidth of broker -> worker limited to 1000 KB/s: slower resizes, no errors',
  kind: 'chaos',
  seed: 15,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'worker bandwidth 1000 KB/s', atS: 4, forS: 8, fault: { kind: 'toxic', path: 'worker-leader', toxic: 'bandwidth', attributes: { rate: 1000 } } }],
  slas: [{ metric: 'errors', threshold: 'rate<0.001' }, ...resilienceSlas],
  quick: chaosQuick,
};
export default workerBandwidth;
