import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, failoverSlas, haTopology } from '../harness/scenario/defaults.ts';

/** The leader broker is SIGKILLed under load; the standby takes over through Consul. */
const brokerCrash: Scenario = {
  name: 'broker-crash',
  description: 'SIGKILL the leader broker under load: failover under 5 s, no accepted request lost, no split brain',
  kind: 'chaos',
  seed: 11,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'kill leader broker', atS: 5, forS: 5, fault: { kind: 'kill', target: 'leader-broker', restart: true } }],
  slas: failoverSlas,
  probes: ['failover'],
  quick: chaosQuick,
};
export default brokerCrash;
