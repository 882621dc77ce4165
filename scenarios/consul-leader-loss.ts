import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, haTopology, resilienceSlas } from '../harness/scenario/defaults.ts';

/** The Consul server that is Raft leader is killed: Consul re-elects, the service carries on. */
const consulLeaderLoss: Scenario = {
  name: 'consul-leader-loss',
  description: 'SIGKILL the Consul Raft leader: Consul re-elects, the brokers keep one leader, requests keep being served',
  kind: 'chaos',
  seed: 17,
  topology: haTopology,
  load: chaosLoad,
  faults: [{ name: 'kill Consul Raft leader', atS: 4, forS: 8, fault: { kind: 'kill', target: 'consul-leader', restart: true } }],
  slas: resilienceSlas,
  quick: chaosQuick,
};
export default consulLeaderLoss;
