import type { Scenario } from '../harness/model/scenario.ts';
import { chaosLoad, chaosQuick, failoverSlas, haTopology } from '../harness/scenario/defaults.ts';

/** Two queue shards; shard 1's leader broker is SIGKILLed under load while shard 0 keeps serving. */
const shardCrash: Scenario = {
  name: 'shard-crash',
  description: "SIGKILL shard 1's leader broker (of 2 shards) under load: that shard fails over under 5 s, no accepted request lost, no split brain in either shard",
  kind: 'chaos',
  seed: 21,
  topology: { ...haTopology, shards: 2 },
  load: chaosLoad,
  faults: [{ name: 'kill shard 1 leader broker', atS: 5, forS: 5, fault: { kind: 'kill', target: 'leader-broker', shard: 1, restart: true } }],
  slas: failoverSlas,
  probes: ['failover'],
  quick: chaosQuick,
};
export default shardCrash;
