/**
 * Two queue shards on the real topology (3 Consul servers, Toxiproxy on every path, a broker
 * pair per shard, api servers behind HAProxy, workers), under a steady load of real resizes.
 * Shard 1's leader is SIGKILLed: its standby takes over through shard 1's own lock, no
 * accepted request is lost, the jobs on shard 0 never fail (read from every api server's
 * per-shard counters), and the fencing checker passes for each shard.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTopology, type Topology } from '../../../harness/stack/topology.ts';
import { checkFencing } from '../../../harness/sla/fencing.ts';
import { AdminClient } from '../../../system/identity/admin-client.ts';
import { FailoverProbe } from '../../../harness/load/failover-probe.ts';
import { eventually, fixture } from '../../helpers/stack.ts';
import { metricSum } from '../../helpers/metrics.ts';

const DEADLINE_MS = 5000;
let topo: Topology;
let key = '';
const dir = mkdtempSync(join(tmpdir(), 'nines-shards-'));

before(async () => {
  topo = await startTopology({ dir, shards: 2, workers: 2, workerConcurrency: 1, apis: 2, env: { api: { NINES_API_DEADLINE_MS: String(DEADLINE_MS), NINES_API_TENANT_MAX_INFLIGHT: '64' } } });
  key = (await new AdminClient({ adminUrl: topo.adminUrl, adminToken: topo.adminToken }).createTenant({ name: 'shards', ratePerSec: 1000, burst: 1000 })).apiKey;
});
after(async () => {
  await topo?.stop();
  if (!process.env.NINES_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
});

/** Sum over every api server of `nines_api_queue_jobs_total` for one shard, by outcome. */
async function shardOutcomes(shard: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const outcome of ['answered', 'rejected', 'deadline', 'no_broker']) {
    const counts = await Promise.all(topo.apiUrls.map((url) => metricSum(url, 'nines_api_queue_jobs_total', `shard="${shard}"`, `outcome="${outcome}"`)));
    out[outcome] = counts.reduce((a, b) => a + b, 0);
  }
  return out;
}

test("shard 1's leader SIGKILLed under load: its standby takes over, nothing accepted is lost, shard 0 never fails", async (t) => {
  const leader1 = await topo.waitForLeader(10_000, { shard: 1 });
  const leader0 = await topo.waitForLeader(10_000, { shard: 0 });
  const probe = new FailoverProbe({ url: topo.apiUrl, apiKey: key, body: fixture('concert.jpg'), query: 'width=100', ratePerSec: 10, timeoutMs: DEADLINE_MS + 2000, maxSeconds: 60 }).start();
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = Date.now();
  await leader1.process.kill();
  const failoverS = await eventually(async () => probe.failoverSeconds(t0, leader1.epoch!, 1), 15_000, 20).catch((err: Error) => {
    throw new Error(`shard 1 served nothing under a new epoch: ${err.message}; samples by shard/epoch ${JSON.stringify(probe.samples.map((s) => `${s.shard}/${s.epoch}/${s.status}`))}`);
  });
  await new Promise((r) => setTimeout(r, 1500));
  const results = await probe.stop();

  const bad = results.filter((r) => r.status !== 200);
  t.diagnostic(`shard 1 failover ${failoverS.toFixed(2)} s; ${bad.length} of ${results.length} requests not 200`);
  assert.ok(failoverS <= 5, `shard 1 failed over in ${failoverS} s`);
  assert.deepEqual(bad, [], 'every request got its image');
  assert.ok(results.some((r) => r.shard === 0) && results.some((r) => r.shard === 1), 'both shards carried requests');
  const shard0 = await shardOutcomes(0);
  assert.ok((shard0.answered ?? 0) > 0, `shard 0 answered jobs: ${JSON.stringify(shard0)}`);
  assert.deepEqual({ rejected: shard0.rejected ?? 0, deadline: shard0.deadline ?? 0, no_broker: shard0.no_broker ?? 0 }, { rejected: 0, deadline: 0, no_broker: 0 }, "shard 0's jobs never failed");
  const still0 = await topo.waitForLeader(5_000, { shard: 0 });
  assert.equal(still0.id, leader0.id, "shard 0's leader did not change");

  const f = checkFencing(topo.dispatchEvents(), { shards: 2 });
  assert.equal(f.valid, true, f.violations.join('; '));
  assert.equal(f.shards.length, 2);
  await leader1.process.start(); // back as shard 1's standby
});
