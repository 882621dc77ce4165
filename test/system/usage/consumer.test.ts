import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { connectBus } from '../../../system/lib/bus.ts';
import { topics } from '../../../system/lib/topics.ts';
import { startConsumer } from '../../../system/usage/consumer.ts';
import { openStore } from '../../../system/usage/store.ts';
import { apiSide, batch, record, silentLog, tempDir } from './helpers.ts';
import { startBroker } from '../../helpers/mqtt.ts';

const DAY = [new Date('2026-11-26T00:00:00Z'), new Date('2026-11-27T00:00:00Z')] as const;

/** A usage consumer on a real broker, wired as main.ts wires it. */
async function setup(t: TestContext) {
  const mq = await startBroker(t);
  const store = openStore(join(tempDir(t), 'usage.db'));
  const registry = new Registry();
  const client = connectBus({ url: mq.url }, { role: 'usage', id: 'u1', secret: 'x'.repeat(16), log: silentLog, subscriptions: [topics.usageBatches] });
  const consumer = startConsumer({ clients: [client], store, log: silentLog, registry });
  t.after(async () => {
    consumer.stop();
    await client.endAsync(true);
    store.close();
  });
  await mq.subscribed(topics.usageBatches);
  const api = await apiSide(t, mq.url, 'api-1');
  const metric = async (name: string, outcome?: string) => {
    const m = await registry.getSingleMetric(name)!.get();
    const v = m.values.find((x) => outcome === undefined || x.labels.outcome === outcome);
    return v?.value ?? 0;
  };
  return { mq, store, registry, api, metric };
}

test('a batch is ingested and acked to its api server', async (t) => {
  const { store, registry, api, metric } = await setup(t);
  await api.publish(batch('b1', [record(), record({ status: 503 })]));
  await api.acked('b1');
  const rep = store.query('tenant-a', ...DAY);
  assert.equal(rep.totals.requests, 2);
  assert.equal(rep.totals.failed, 1);
  assert.equal(await metric('nines_usage_batches_total', 'ingested'), 1);
  assert.equal(await metric('nines_usage_records_total'), 2);
  const hist = await registry.getSingleMetricAsString('nines_usage_ingest_duration_seconds');
  assert.match(hist, /^nines_usage_ingest_duration_seconds_count 1$/m);
});

test('the same batch delivered twice is counted once, and both deliveries are acked', async (t) => {
  const { store, api, metric } = await setup(t);
  const b = batch('twice', [record(), record(), record()]);
  await api.publish(b);
  await api.acked('twice');
  const first = store.query('tenant-a', ...DAY);
  await api.publish(b);
  await api.acked('twice', 2);
  assert.deepEqual(store.query('tenant-a', ...DAY), first);
  assert.equal(first.totals.requests, 3);
  assert.equal(await metric('nines_usage_batches_total', 'ingested'), 1);
  assert.equal(await metric('nines_usage_batches_total', 'duplicate'), 1);
  assert.equal(await metric('nines_usage_records_total'), 3);
});

test('a record repeated in a different batch is counted once', async (t) => {
  const { store, api, metric } = await setup(t);
  const r = record({ inputBytes: 1000 });
  await api.publish(batch('one', [r]));
  await api.acked('one');
  await api.publish(batch('two', [r, record({ inputBytes: 1 })]));
  await api.acked('two');
  const rep = store.query('tenant-a', ...DAY);
  assert.equal(rep.totals.requests, 2);
  assert.equal(rep.totals.inputBytes, 1001);
  assert.equal(await metric('nines_usage_records_total'), 2);
});

test('an invalid message is dropped without an ack and the service keeps working', async (t) => {
  const { store, api, metric } = await setup(t);
  await api.publish('{definitely not json');
  await api.publish(Buffer.from([0xff, 0x00, 0x13]));
  await api.publish(batch('bad', [record({ status: -1 })]));
  await api.publish(JSON.stringify({ ...batch('extra', [record()]), unexpected: true }));
  // Messages from one publisher arrive in order, so once 'good' is acked the bad ones were handled.
  await api.publish(batch('good', [record()]));
  await api.acked('good');
  assert.deepEqual(api.acks, ['good']);
  assert.equal(await metric('nines_usage_batches_total', 'invalid'), 4);
  assert.equal(await metric('nines_usage_batches_total', 'ingested'), 1);
  assert.equal(store.query('tenant-a', ...DAY).totals.requests, 1);
});

test('each batch is acked on its own sender\'s topic', async (t) => {
  const { mq, api } = await setup(t);
  const other = await apiSide(t, mq.url, 'api-2');
  await other.publish(batch('from-2', [record()], 'api-2'));
  await api.publish(batch('from-1', [record()], 'api-1'));
  await other.acked('from-2');
  await api.acked('from-1');
  assert.deepEqual(other.acks, ['from-2']);
  assert.deepEqual(api.acks, ['from-1']);
});

test('a batch the store cannot write is not acked, so its sender resends it', async (t) => {
  const { store, api, metric } = await setup(t);
  // A closed database fails every write, as a full or broken disk would.
  store.close();
  await api.publish(batch('unwritable', [record()]));
  // An invalid marker after it: once the marker is counted, the batch before it was handled.
  await api.publish('marker');
  const deadline = Date.now() + 10_000;
  while ((await metric('nines_usage_batches_total', 'invalid')) < 1) {
    assert.ok(Date.now() < deadline, 'marker never handled');
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(await metric('nines_usage_batches_total', 'error'), 1);
  assert.equal(await metric('nines_usage_batches_total', 'ingested'), 0);
  // Give a stray ack time to arrive before asserting there is none.
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(api.acks, []);
});

test('with two queue shards, a batch from either is stored, acked on the shard it came through, and counted under it', async (t) => {
  const shards = [await startBroker(t), await startBroker(t)];
  const store = openStore(join(tempDir(t), 'usage.db'));
  const registry = new Registry();
  const clients = shards.map((mq) => connectBus({ url: mq.url }, { role: 'usage', id: 'u1', secret: 'x'.repeat(16), log: silentLog, subscriptions: [topics.usageBatches] }));
  const consumer = startConsumer({ clients, store, log: silentLog, registry });
  t.after(async () => {
    consumer.stop();
    await Promise.all(clients.map((c) => c.endAsync(true)));
    store.close();
  });
  await Promise.all(shards.map((mq) => mq.subscribed(topics.usageBatches)));
  const viaShard1 = await apiSide(t, shards[1]!.url, 'api-1');
  await viaShard1.publish(batch('s1', [record()]));
  await viaShard1.acked('s1');
  const counted = (await registry.getSingleMetric('nines_usage_batches_total')!.get()).values.filter((v) => v.labels.outcome === 'ingested');
  assert.deepEqual(
    counted.map((v) => [v.labels.shard, v.value]),
    [
      [0, 0],
      [1, 1],
    ],
  );
  assert.equal(store.query('tenant-a', ...DAY).totals.requests, 1);
});
