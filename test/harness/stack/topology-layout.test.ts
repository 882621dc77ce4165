/**
 * The pure parts of the `ha` topology: which broker serves which queue shard, and the
 * questions asked of the brokers' /status answers (who leads a shard, is every shard ready).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerLayout, TopologyOptionsError } from '../../../harness/stack/topology-plan.ts';
import { describeStates, everyShardReady, leaderOf, type BrokerStatus } from '../../../harness/stack/broker-status.ts';

test('brokers are numbered on across shards, two per shard by default', () => {
  assert.deepEqual(brokerLayout(1, 2), [{ id: 'b1', shard: 0 }, { id: 'b2', shard: 0 }]);
  assert.deepEqual(
    brokerLayout(2, 2).map((b) => `${b.id}:${b.shard}`),
    ['b1:0', 'b2:0', 'b3:1', 'b4:1'],
  );
});

test('a shard or broker count that is not a whole number of at least 1 is ERR_TOPOLOGY_OPTIONS', () => {
  for (const [shards, perShard] of [[0, 2], [1.5, 2], [2, 0], [Number.NaN, 2]]) {
    assert.throws(() => brokerLayout(shards!, perShard!), (e: unknown) => e instanceof TopologyOptionsError && e.code === 'ERR_TOPOLOGY_OPTIONS');
  }
});

type S = BrokerStatus & { process: string };
const st = (id: string, shard: number, leader: boolean, workers = 2): S => ({ id, shard, leader, epoch: leader ? 5 : null, queued: 0, inflight: 0, workers, clients: 0, process: id });

test("leaderOf: the one leader of the shard asked, other than `not`; none while two claim it", () => {
  const states = [st('b1', 0, true), st('b2', 0, false), st('b3', 1, false), st('b4', 1, true)];
  assert.equal(leaderOf(states, 0)?.id, 'b1');
  assert.equal(leaderOf(states, 1)?.id, 'b4');
  assert.equal(leaderOf(states, 1, 'b4'), undefined);
  assert.equal(leaderOf(states, 2), undefined);
  assert.equal(leaderOf([...states, st('b3', 1, true)], 1), undefined);
});

test('everyShardReady: each shard has one leader with every worker connected', () => {
  const ready = [st('b1', 0, true), st('b2', 0, false), st('b3', 1, true), st('b4', 1, false)];
  assert.equal(everyShardReady(ready, 2, 2), true);
  assert.equal(everyShardReady(ready, 3, 2), false, 'shard 2 has no leader');
  assert.equal(everyShardReady([st('b1', 0, true), st('b3', 1, true, 1)], 2, 2), false, "a worker missing at shard 1's leader");
  // Brokers that ignore their shard all report shard 0: shard 1 never gets a leader.
  assert.equal(everyShardReady([st('b1', 0, true), st('b3', 0, false)], 2, 0), false);
  assert.equal(describeStates([st('b1', 0, true), st('b3', 1, false)]), 'b1 s0 leader e5 w2, b3 s1 standby');
});
