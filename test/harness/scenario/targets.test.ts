/**
 * Fault targets with queue shards: which shard a fault aims at (0 unless it says), which
 * proxies a path means once a shard's leader is known, which faults start a failover to
 * measure, the shard-crash scenario and the `--shards` override, and the failover probe's
 * per-shard reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aimedShard, checkFaultShards, FaultTargetError, pathProxies } from '../../../harness/scenario/targets.ts';
import { deposedShard } from '../../../harness/faults/kinds.ts';
import { FailoverProbe } from '../../../harness/load/failover-probe.ts';
import { withShards, ScenarioOverrideError } from '../../../harness/scenario/override.ts';
import type { FaultSpec, FaultStep } from '../../../harness/model/scenario.ts';
import brokerCrash from '../../../scenarios/broker-crash.ts';
import shardCrash from '../../../scenarios/shard-crash.ts';
import smoke from '../../../scenarios/smoke.ts';

const isCode = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

test('a fault aims at shard 0 unless it names one; a shard the topology lacks is ERR_FAULT_TARGET', () => {
  assert.equal(aimedShard({}, 1), 0);
  assert.equal(aimedShard({ shard: 1 }, 2), 1);
  for (const shard of [2, -1, 0.5]) assert.throws(() => aimedShard({ shard }, 2), isCode('ERR_FAULT_TARGET'));
  assert.throws(() => aimedShard({ shard: 1 }, 1), /only shard 0.*--shards/);
});

test('only broker targets and leader paths take a shard (a type error otherwise)', () => {
  const ok: FaultSpec[] = [
    { kind: 'kill', target: 'leader-broker', shard: 1 },
    { kind: 'pause', target: 'standby-broker', shard: 1 },
    { kind: 'partition', path: 'leader-consul', shard: 1 },
    { kind: 'toxic', path: 'api-leader', shard: 1, toxic: 'latency', attributes: { latency: 10 } },
  ];
  // @ts-expect-error a worker belongs to no shard
  const worker: FaultSpec = { kind: 'kill', target: 'worker', shard: 1 };
  // @ts-expect-error the blob path goes to api servers, not to a shard's leader
  const blobs: FaultSpec = { kind: 'partition', path: 'worker-blobs', shard: 1 };
  assert.equal(ok.length + [worker, blobs].length, 6);
});

const proxies = ['api-b1', 'api-b3', 'worker-b3', 'b3-consul-1', 'b3-consul-2', 'b3-consul-3', 'b1-consul-1', 'api-consul-1', 'api-consul-2', 'worker-blobs-a1', 'worker-blobs-a2'];

test("a leader path is the proxies to or from the leader of the fault's shard; other paths need no leader", () => {
  assert.deepEqual(pathProxies('api-leader', proxies, 'b3'), ['api-b3']);
  assert.deepEqual(pathProxies('worker-leader', proxies, 'b3'), ['worker-b3']);
  assert.deepEqual(pathProxies('leader-consul', proxies, 'b3'), ['b3-consul-1', 'b3-consul-2', 'b3-consul-3']);
  assert.deepEqual(pathProxies('api-consul', proxies), ['api-consul-1', 'api-consul-2']);
  assert.deepEqual(pathProxies('worker-blobs', proxies), ['worker-blobs-a1', 'worker-blobs-a2']);
  assert.throws(() => pathProxies('api-leader', proxies), isCode('ERR_FAULT_TARGET'), 'a leader path without a leader');
  assert.throws(() => pathProxies('usage-leader', proxies, 'b3'), /no proxy carries path usage-leader/);
});

test('a timeline aimed past its topology is refused before anything starts', () => {
  const step: FaultStep = { name: 'kill it', atS: 1, fault: { kind: 'kill', target: 'leader-broker', shard: 1 } };
  assert.doesNotThrow(() => checkFaultShards([step], { kind: 'ha', shards: 2 }));
  assert.throws(() => checkFaultShards([step], { kind: 'ha' }), (e: unknown) => e instanceof FaultTargetError && /fault 'kill it'/.test(e.message));
  assert.throws(() => checkFaultShards([step], { kind: 'local' }), isCode('ERR_FAULT_TARGET'));
});

test("faults that depose a leader start a failover of their shard's; others none", () => {
  assert.equal(deposedShard({ kind: 'kill', target: 'leader-broker' }), 0);
  assert.equal(deposedShard({ kind: 'stop', target: 'leader-broker', shard: 1 }), 1);
  assert.equal(deposedShard({ kind: 'partition', path: 'leader-consul', shard: 2 }), 2);
  assert.equal(deposedShard({ kind: 'kill', target: 'standby-broker', shard: 1 }), undefined);
  assert.equal(deposedShard({ kind: 'partition', path: 'api-leader', shard: 1 }), undefined);
  assert.equal(deposedShard({ kind: 'kill', target: 'worker' }), undefined);
});

test("shard-crash runs 2 shards and kills shard 1's leader, so its failover is the one measured", () => {
  assert.equal(shardCrash.topology.kind === 'ha' && shardCrash.topology.shards, 2);
  assert.deepEqual(shardCrash.faults.map((f) => deposedShard(f.fault)), [1]);
  assert.doesNotThrow(() => checkFaultShards(shardCrash.faults, shardCrash.topology));
});

test("--shards sets an ha scenario's shard count without touching the scenario file; refuses local scenarios and bad counts", () => {
  const two = withShards(brokerCrash, 2);
  assert.deepEqual(two.topology, { ...brokerCrash.topology, shards: 2 });
  assert.equal((brokerCrash.topology as { shards?: number }).shards, undefined, 'the loaded scenario is unchanged');
  assert.deepEqual(two.faults, brokerCrash.faults, 'faults still hit shard 0');
  assert.throws(() => withShards(smoke, 2), (e: unknown) => e instanceof ScenarioOverrideError && e.code === 'ERR_SCENARIO_OVERRIDE');
  for (const n of [0, 1.5, Number.NaN]) assert.throws(() => withShards(brokerCrash, n), isCode('ERR_SCENARIO_OVERRIDE'));
  assert.throws(() => checkFaultShards(shardCrash.faults, withShards(shardCrash, 1).topology), /fault 'kill shard 1 leader broker'/);
});

test('the failover probe measures the shard that was hit: a new epoch of another shard does not end it', () => {
  const probe = new FailoverProbe({ url: 'http://127.0.0.1:9', apiKey: 'k', body: Buffer.alloc(0), query: '', ratePerSec: 1, timeoutMs: 1 });
  probe.samples.push(
    { sentAt: 900, doneAt: 1100, status: 200, shard: 0, epoch: 9 }, // shard 0's epoch 9 > shard 1's old 4: not shard 1's failover
    { sentAt: 1000, doneAt: 1500, status: 503, shard: 1 },
    { sentAt: 2000, doneAt: 2600, status: 200, shard: 1, epoch: 5 },
    { sentAt: 2000, doneAt: 2100, status: 200, epoch: 6 }, // no shard header: an api from before shards, shard 0
  );
  assert.equal(probe.failoverSeconds(1000, 4, 1), 1.6);
  assert.equal(probe.failoverSeconds(1000, 8), 0.1);
  assert.equal(probe.failoverSeconds(1000, 5, 1), undefined);
});
