/**
 * Two queue shards, each a real broker process (no election: fixed URLs), driven by the real
 * api side (JobClient per shard under ShardedJobs) and the real worker side (JobFeed, one
 * credit split over both shards) in this process. What sharding must keep: jobs leave each
 * shard in the order they were submitted to it, a worker never holds more jobs in total than
 * its credit, both shards carry work, and a shard's death costs only its own jobs' time.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { launcher, type Launcher } from '../../../harness/stack/launcher.ts';
import type { ManagedProcess } from '../../../harness/stack/process.ts';
import { connectBus, type MqttBus } from '../../../system/lib/bus.ts';
import { topics } from '../../../system/lib/topics.ts';
import { JobClient, type Reply } from '../../../system/api/job-client.ts';
import { ShardedJobs } from '../../../system/api/shards.ts';
import { queueMetrics } from '../../../system/api/queue-metrics.ts';
import { JobFeed, type FeedJob } from '../../../system/worker/feed.ts';
import type { JobHeader } from '../../../system/lib/jobs.ts';
import { waitUntil } from '../../helpers/mqtt.ts';

const log = pino({ level: 'silent' });
let dir: string;
let l: Launcher;
const brokers: ManagedProcess[] = [];
const urls: string[] = [];
const closers: Array<() => Promise<unknown>> = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nines-shards-'));
  l = launcher(dir, { logLevel: 'warn' });
  for (const shard of [0, 1]) {
    const b = await l.launch(`broker-${shard}`, 'system/broker/main.ts', {
      NINES_BROKER_PORT: '0',
      NINES_QUEUE_SHARD: String(shard),
      NINES_BROKER_WORKER_GRACE_MS: '10000',
      NINES_MQTT_SECRET_API: l.secrets.mqtt.api,
      NINES_MQTT_SECRET_WORKER: l.secrets.mqtt.worker,
      NINES_MQTT_SECRET_USAGE: l.secrets.mqtt.usage,
    });
    brokers.push(b);
    urls.push(`mqtt://127.0.0.1:${b.info.mqttPort}`);
  }
});
after(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await l.killAll();
  rmSync(dir, { recursive: true, force: true });
});

function apiSide(id: string) {
  const registry = new Registry();
  const qm = queueMetrics(registry);
  const buses: MqttBus[] = urls.map((url) => connectBus({ url }, { role: 'api', id, secret: l.secrets.mqtt.api, log, subscriptions: [topics.apiReply(id)] }));
  const clients = buses.map((bus, shard) => new JobClient(bus, log, qm, { shard, retryAfterS: 1, brokerWaitMs: 5000 }));
  buses.forEach((bus, shard) => bus.on('message', (topic, payload) => topic === topics.apiReply(id) && clients[shard]!.onReplyFrame(payload)));
  closers.push(() => Promise.all(buses.map((b) => b.endAsync(true))));
  return { jobs: new ShardedJobs(clients), buses, registry };
}

function workerSide(id: string, credit: number) {
  const feed = new JobFeed({ brokers: urls.map((url) => ({ url })), id, secret: l.secrets.mqtt.worker, credit, log });
  closers.push(() => feed.stop());
  return feed;
}

let seq = 0;
const job = (replyTo: string): JobHeader => ({ jobId: `j${++seq}`, tenantId: 't', replyTo, deadline: Date.now() + 20_000, params: { fit: 'cover', format: 'jpeg', width: 8 } });
const answer = (feed: JobFeed, j: FeedJob) => {
  feed.reply(j, { type: 'result', jobId: j.header.jobId, epoch: j.epoch, contentType: 'image/jpeg', format: 'jpeg', width: 8, height: 8, cpuMs: 0 }, Buffer.from('img'));
  feed.done();
};

test('jobs keep their order within a shard, a worker never holds more than its credit, and both shards carry work', async () => {
  const credit = 3;
  const feed = workerSide('w-order', credit);
  const api = apiSide('a-order');
  await waitUntil(() => feed.connected && api.buses.every((b) => b.connected), 10_000, 'connected to both shards');
  const arrived: FeedJob[] = [];
  let maxHeld = 0;
  // Answer each job after a short while, so jobs queue up and credit is the limit.
  feed.on('job', (j: FeedJob) => {
    arrived.push(j);
    maxHeld = Math.max(maxHeld, feed.holding);
    setTimeout(() => answer(feed, j), 5);
  });
  const submitted: Array<{ id: string; reply: Promise<Reply> }> = [];
  for (let i = 0; i < 200; i++) {
    const h = job('a-order');
    submitted.push({ id: h.jobId, reply: api.jobs.submit(h, Buffer.from('in'), 20_000) });
    if (i % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  const replies = await Promise.all(submitted.map((s) => s.reply));
  assert.equal(replies.length, 200);
  assert.ok(maxHeld <= credit, `held ${maxHeld} jobs at once with a credit of ${credit}`);
  assert.equal(maxHeld, credit, 'the load was enough to use the whole credit');
  for (const shard of [0, 1]) {
    const order = submitted.filter((_s, i) => replies[i]!.shard === shard).map((s) => s.id);
    const seen = arrived.filter((j) => j.shard === shard).map((j) => j.header.jobId);
    assert.ok(order.length >= 20, `shard ${shard} carried ${order.length} of 200 jobs`);
    assert.deepEqual(seen, order, `shard ${shard} dispatched in submission order`);
  }
});

test("a dead shard costs only its own jobs: the other shard's jobs never fail and new jobs go there", async () => {
  const feed = workerSide('w-kill', 4);
  const api = apiSide('a-kill');
  await waitUntil(() => feed.connected && api.buses.every((b) => b.connected), 10_000, 'connected to both shards');
  feed.on('job', (j: FeedJob) => setTimeout(() => answer(feed, j), 2));
  const first = await Promise.all(Array.from({ length: 40 }, () => api.jobs.submit(job('a-kill'), Buffer.from('in'), 20_000)));
  assert.deepEqual(new Set(first.map((r) => r.shard)), new Set([0, 1]));

  await brokers[1]!.kill();
  await waitUntil(() => !api.buses[1]!.connected, 5_000, 'the api saw shard 1 go');
  const after = await Promise.all(Array.from({ length: 40 }, () => api.jobs.submit(job('a-kill'), Buffer.from('in'), 20_000)));
  assert.ok(after.every((r) => r.shard === 0 && r.header.type === 'result'), 'every job went to the live shard and was answered');
  const failures = (await api.registry.getSingleMetric('nines_api_queue_jobs_total')!.get()).values.filter((v) => v.labels.outcome !== 'answered' && v.value > 0);
  assert.deepEqual(failures, [], 'no job failed on either shard');
  await brokers[1]!.start();
});
