/**
 * Broker failover on the real topology (3 Consul servers, Toxiproxy on every path, two
 * brokers, api servers behind HAProxy, workers), under a steady load of real resizes:
 * crash, partition from Consul, pause past the TTL, loss of the Consul Raft leader, and
 * graceful stop. After each, the dispatch logs prove no split brain, and every accepted
 * request got its image or a 5xx within its deadline.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTopology, type Topology } from '../../../harness/stack/topology.ts';
import { partitionAll } from '../../../harness/faults/partition.ts';
import { checkFencing } from '../../../harness/sla/fencing.ts';
import { AdminClient } from '../../../system/identity/admin-client.ts';
import { eventually, fixture } from '../../helpers/stack.ts';
import { FailoverProbe, type ProbeSample } from '../../../harness/load/failover-probe.ts';

const DEADLINE_MS = 5000;
let topo: Topology;
let key = '';
const dir = mkdtempSync(join(tmpdir(), 'nines-topo-'));

before(async () => {
  topo = await startTopology({ dir, workers: 2, workerConcurrency: 1, apis: 2, env: { api: { NINES_API_DEADLINE_MS: String(DEADLINE_MS), NINES_API_TENANT_MAX_INFLIGHT: '64' } } });
  key = (await new AdminClient({ adminUrl: topo.adminUrl, adminToken: topo.adminToken }).createTenant({ name: 'failover', ratePerSec: 1000, burst: 1000 })).apiKey;
});
after(async () => {
  await topo?.stop();
  if (!process.env.NINES_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
});

/** A steady 10 requests/s of real resizes that records which epoch served each. */
const load = () => new FailoverProbe({ url: topo.apiUrl, apiKey: key, body: fixture('concert.jpg'), query: 'width=100', ratePerSec: 10, timeoutMs: DEADLINE_MS + 2000, maxSeconds: 120 }).start();

/** Every request answered: an image or a 5xx, within its deadline (plus transport slack). */
function assertNoneLostOrHung(results: ProbeSample[]) {
  assert.ok(results.length > 0, 'the load sent requests');
  for (const r of results) {
    assert.ok(r.status === 200 || r.status >= 500, `request at ${r.sentAt} got ${r.status} ${r.error ?? ''}`);
    assert.ok(r.doneAt - r.sentAt <= DEADLINE_MS + 1000, `request at ${r.sentAt} took ${r.doneAt - r.sentAt} ms`);
  }
}

function assertNoSplitBrain() {
  const f = checkFencing(topo.dispatchEvents());
  assert.equal(f.valid, true, f.violations.join('; '));
}

/** ms from `t0` to the first successful response carried by an epoch above `oldEpoch`. */
const servedByNewLeader = async (probe: FailoverProbe, t0: number, oldEpoch: number, timeoutMs = 15_000): Promise<number> =>
  Math.round((await eventually(async () => probe.failoverSeconds(t0, oldEpoch), timeoutMs, 20)) * 1000);

const failures = (rs: ProbeSample[]) => {
  const bad = rs.filter((r) => r.status !== 200);
  const kinds = [...new Set(bad.map((r) => r.status || r.error))].join(',');
  return `${bad.length}${bad.length ? ` (${kinds})` : ''}`;
};

test('leader SIGKILLed: the standby serves within 5 s and no accepted request is lost or hung', async (t) => {
  const leader = await topo.waitForLeader(10_000);
  const l = load();
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = Date.now();
  await leader.process.kill();
  const failoverMs = await servedByNewLeader(l, t0, leader.epoch!);
  await new Promise((r) => setTimeout(r, 1000));
  const results = await l.stop();
  t.diagnostic(`crash failover: ${failoverMs} ms; ${failures(results)} of ${results.length} requests failed`);
  assert.ok(failoverMs <= 5000, `failover took ${failoverMs} ms`);
  assertNoneLostOrHung(results);
  assertNoSplitBrain();
  await leader.process.start(); // back as the standby
});

test('leader partitioned from Consul: it stops dispatching before its lock can be freed, the standby takes over', async (t) => {
  const leader = await topo.waitForLeader(10_000);
  const l = load();
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = Date.now();
  await partitionAll(topo.toxiproxy.client, `${leader.id}-consul-`);
  try {
    const failoverMs = await servedByNewLeader(l, t0, leader.epoch!);
    const st = (await topo.brokerStatus()).find((s) => s.process === leader.process);
    assert.equal(st?.leader, false, 'the partitioned broker no longer leads');
    await new Promise((r) => setTimeout(r, 1000));
    const results = await l.stop();
    t.diagnostic(`partition failover: ${failoverMs} ms; ${failures(results)} of ${results.length} requests failed`);
    // The check TTL is 1 s: the old leader's last dispatch must come before Consul could free its lock.
    const oldLast = Math.max(0, ...topo.dispatchEvents().filter((e) => e.epoch === leader.epoch).map((e) => e.t));
    assert.ok(oldLast < t0 + 1000, `old leader dispatched ${oldLast - t0} ms after the partition`);
    assertNoneLostOrHung(results);
    assertNoSplitBrain();
  } finally {
    await topo.toxiproxy.reset();
  }
});

test('leader SIGSTOPped past the TTL then resumed: it does not lead again, its old epoch is fenced', async (t) => {
  const leader = await topo.waitForLeader(10_000);
  const l = load();
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = Date.now();
  leader.process.pause();
  let resumedAt = 0;
  try {
    const failoverMs = await servedByNewLeader(l, t0, leader.epoch!);
    t.diagnostic(`pause failover: ${failoverMs} ms`);
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - t0)))); // paused 3 s > 1 s check TTL
  } finally {
    leader.process.resume();
    resumedAt = Date.now();
  }
  await new Promise((r) => setTimeout(r, 1500));
  const results = await l.stop();
  const st = (await topo.brokerStatus()).find((s) => s.process === leader.process);
  assert.equal(st?.leader === true && st.epoch === leader.epoch, false, 'the resumed broker does not act under its old epoch');
  const lateOld = topo.dispatchEvents().filter((e) => e.epoch === leader.epoch && e.t >= resumedAt);
  assert.deepEqual(lateOld, [], 'no dispatch under the old epoch after resuming');
  assertNoneLostOrHung(results);
  assertNoSplitBrain();
});

test('the Consul server that is Raft leader is killed: elections keep working', async (t) => {
  const raftLeader = await topo.consul.raftLeader();
  assert.ok(raftLeader, 'a Raft leader exists');
  await raftLeader.process.kill();
  try {
    // A new Raft leader among the two survivors.
    const until = Date.now() + 20_000;
    let next = await topo.consul.raftLeader();
    while ((!next || next === raftLeader) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      next = await topo.consul.raftLeader();
    }
    assert.ok(next && next !== raftLeader, 'Consul elected a new Raft leader');
    // And broker elections still work: take the current broker leader down gracefully.
    const leader = await topo.waitForLeader(20_000);
    const l = load();
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await leader.process.stop();
    const failoverMs = await servedByNewLeader(l, t0, leader.epoch!, 20_000);
    const results = await l.stop();
    t.diagnostic(`broker failover with one Consul server down: ${failoverMs} ms; ${failures(results)} of ${results.length} failed`);
    assertNoneLostOrHung(results);
    assertNoSplitBrain();
    await leader.process.start();
  } finally {
    await raftLeader.process.start();
  }
});

test('graceful stop of the leader: failover under 1 s', async (t) => {
  const leader = await topo.waitForLeader(20_000);
  const l = load();
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = Date.now();
  const stopping = leader.process.stop();
  const next = await topo.waitForLeader(5000, { not: leader.process });
  const electedMs = Date.now() - t0;
  const failoverMs = await servedByNewLeader(l, t0, leader.epoch!);
  await stopping;
  await new Promise((r) => setTimeout(r, 500));
  const results = await l.stop();
  t.diagnostic(`graceful failover: new leader ${next.id} after ${electedMs} ms, first request served after ${failoverMs} ms; ${failures(results)} of ${results.length} failed`);
  // Under the 1 s check TTL: the lock was handed over, not left to expire. If not, say why.
  const why = () => `; the brokers' election log since the stop:\n${topo.electionLog(t0 - 500).join('\n')}`;
  assert.ok(electedMs < 1000, `new leader after ${electedMs} ms${why()}`);
  assert.ok(failoverMs < 1000, `first request served by the new leader after ${failoverMs} ms${why()}`);
  assertNoneLostOrHung(results);
  assertNoSplitBrain();
  await leader.process.start();
});
