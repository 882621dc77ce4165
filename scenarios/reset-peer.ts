import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, haTopology, resilienceSlas } from '../harness/scenario/defaults.ts';

/** api -> broker connections reset (TCP RST) repeatedly: reconnect and republish, lose nothing. */
const resetPeer: Scenario = {
  name: 'reset-peer',
  description: 'reset_peer on api -> broker for 6 s: connections die, pending jobs are republished, none lost',
  kind: 'chaos',
  seed: 16,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'api->broker reset_peer', atS: 4, forS: 6, fault: { kind: 'toxic', path: 'api-leader', toxic: 'reset_peer', attributes: { timeout: 500 } } }],
  slas: resilienceSlas,
  quick: chaosQuick,
};
export default resetPeer;
