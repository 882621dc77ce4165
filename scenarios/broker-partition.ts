import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, failoverSlas, haTopology } from '../harness/scenario/defaults.ts';

/** The leader broker loses Consul (every path to it disabled): it must step down first. */
const brokerPartition: Scenario = {
  name: 'broker-partition',
  description: 'partition the leader broker from Consul: it stops dispatching before its lock expires; the standby serves',
  kind: 'chaos',
  seed: 12,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'partition leader from Consul', atS: 5, forS: 6, fault: { kind: 'partition', path: 'leader-consul' } }],
  slas: failoverSlas,
  probes: ['failover'],
  quick: chaosQuick,
};
export default brokerPartition;
