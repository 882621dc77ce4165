/**
 * The queue-shard settings: every client gets one broker source per shard, each shard's
 * brokers elect under their own lock key, and a mismatch is a start-time error that says
 * what to give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBrokerConfig, loadWorkerConfig, shardLeaderKey } from '../../../system/lib/config.ts';
import { ConfigError } from '../../../system/lib/errors.ts';

const secret = 's'.repeat(16);
const brokerSecrets = { NINES_MQTT_SECRET_API: secret, NINES_MQTT_SECRET_WORKER: secret, NINES_MQTT_SECRET_USAGE: secret };

test('one shard by default: the embedded stack is unchanged', () => {
  const c = loadWorkerConfig({ NINES_MQTT_SECRET: secret });
  assert.deepEqual(c.brokers, [{ url: 'mqtt://127.0.0.1:1883' }]);
  assert.equal(loadBrokerConfig(brokerSecrets).shard, 0);
});

test('with Consul, shard s follows its own lock key; shard 0 keeps the configured one', () => {
  const c = loadWorkerConfig({ NINES_MQTT_SECRET: secret, NINES_QUEUE_SHARDS: '3', NINES_CONSUL_URL: 'http://127.0.0.1:8500' });
  assert.deepEqual(
    c.brokers.map((b) => ('key' in b ? b.key : b.url)),
    ['nines/broker/leader', 'nines/broker/leader-1', 'nines/broker/leader-2'],
  );
  const b = loadBrokerConfig({ ...brokerSecrets, NINES_QUEUE_SHARD: '2', NINES_CONSUL_URL: 'http://127.0.0.1:8500' });
  assert.equal(b.election?.key, shardLeaderKey('nines/broker/leader', 2));
});

test('without Consul, one broker URL per shard, or a start-time error that says so', () => {
  const c = loadWorkerConfig({ NINES_MQTT_SECRET: secret, NINES_QUEUE_SHARDS: '2', NINES_BROKER_URL: 'mqtt://127.0.0.1:1,mqtt://127.0.0.1:2' });
  assert.deepEqual(c.brokers, [{ url: 'mqtt://127.0.0.1:1' }, { url: 'mqtt://127.0.0.1:2' }]);
  assert.throws(
    () => loadWorkerConfig({ NINES_MQTT_SECRET: secret, NINES_QUEUE_SHARDS: '2' }),
    (err: unknown) => err instanceof ConfigError && /one per shard/.test(err.message),
  );
});
