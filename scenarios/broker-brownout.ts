import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, failoverSlas, haTopology } from '../harness/scenario/defaults.ts';

/** The leader broker is frozen (SIGSTOP) past its check TTL, then resumed: fenced, not leading. */
const brokerBrownout: Scenario = {
  name: 'broker-brownout',
  description: 'SIGSTOP the leader broker for 4 s then SIGCONT: the standby takes over; the old epoch is fenced',
  kind: 'chaos',
  seed: 13,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'pause leader broker', atS: 5, forS: 4, fault: { kind: 'pause', target: 'leader-broker' } }],
  slas: failoverSlas,
  probes: ['failover'],
  quick: chaosQuick,
};
export default brokerBrownout;
