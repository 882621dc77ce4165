/**
 * MQTT authentication and per-role topic authorization, against the real broker process
 * and real mqtt.js clients.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { ManagedProcess } from '../../../harness/stack/process.ts';
import { encodeBatch } from '../../../system/lib/wire.ts';

const secrets = { api: 'api-secret-0123456789', worker: 'worker-secret-0123456789', usage: 'usage-secret-0123456789' };
const dir = mkdtempSync(join(tmpdir(), 'nines-broker-'));
const broker = new ManagedProcess({
  name: 'broker',
  entry: 'system/broker/main.ts',
  logFile: join(dir, 'broker.log'),
  env: { NINES_BROKER_PORT: '0', NINES_MQTT_SECRET_API: secrets.api, NINES_MQTT_SECRET_WORKER: secrets.worker, NINES_MQTT_SECRET_USAGE: secrets.usage },
});
let url = '';
const clients: MqttClient[] = [];

before(async () => {
  const info = await broker.start();
  url = `mqtt://127.0.0.1:${info.mqttPort}`;
});
after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Connects once (no reconnect) and resolves with the client, or rejects with the CONNACK error. */
function connect(username?: string, password?: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { username, password, reconnectPeriod: 0, connectTimeout: 3000, clientId: `t-${Math.random().toString(16).slice(2)}` });
    clients.push(c);
    c.once('connect', () => resolve(c));
    c.once('error', (err) => reject(err));
  });
}

const codeOf = (err: unknown) => (err as { code?: number }).code;

test('a client without credentials is refused', async () => {
  await assert.rejects(connect(), (err) => codeOf(err) === 5 || codeOf(err) === 4);
});

test('a wrong secret, an unknown role or a secret of another role is refused', async () => {
  await assert.rejects(connect('worker:w1', 'wrong-secret-000000'), (err) => codeOf(err) === 5);
  await assert.rejects(connect('admin:x', secrets.api), (err) => codeOf(err) === 5);
  await assert.rejects(connect('api:a1', secrets.worker), (err) => codeOf(err) === 5);
});

/** Resolves with the granted QoS of a single subscription (128 = refused by the broker). */
function grantedQos(c: MqttClient, topic: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // mqtt.js turns a SUBACK return code of 128 into this error (and echoes the requested
    // QoS in `granted`), so the error is how a refusal shows.
    c.subscribe(topic, { qos: 0 }, (err, granted) => {
      if (err && /Unspecified error/.test(err.message)) resolve(128);
      else if (err) reject(err);
      else resolve(granted?.[0]?.qos ?? -1);
    });
  });
}

test("a worker may subscribe to its own job topic but not to an api server's reply topic", async () => {
  const w = await connect('worker:w1', secrets.worker);
  assert.equal(await grantedQos(w, 'nines/workers/w1/jobs'), 0);
  assert.equal(await grantedQos(w, 'nines/api/a1/reply'), 128);
  assert.equal(await grantedQos(w, 'nines/workers/w2/jobs'), 128);
  assert.equal(await grantedQos(w, 'nines/#'), 128);

  // And the refusal is real: a reply published to a1 reaches a1, never the snooping worker.
  const a1 = await connect('api:a1', secrets.api);
  assert.equal(await grantedQos(a1, 'nines/api/a1/reply'), 0);
  const snooped: string[] = [];
  w.on('message', (topic) => snooped.push(topic));
  const received = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the reply never reached a1')), 5000);
    a1.once('message', (topic) => {
      clearTimeout(timer);
      resolve(topic);
    });
  });
  const w2 = await connect('worker:w2', secrets.worker);
  // A well-formed reply: the broker refuses malformed ones before they are delivered.
  const reply = encodeBatch({ replies: [{ type: 'error', jobId: 'j1', epoch: 0, code: 'ERR_X', message: 'x', cpuMs: 0, bytes: 0 }] }, []);
  await w2.publishAsync('nines/api/a1/reply', reply);
  assert.equal(await received, 'nines/api/a1/reply');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(snooped, []);
});

test('an api server may subscribe to its own replies only', async () => {
  const a = await connect('api:a2', secrets.api);
  assert.equal(await grantedQos(a, 'nines/api/a2/reply'), 0);
  assert.equal(await grantedQos(a, 'nines/api/a3/reply'), 128);
  assert.equal(await grantedQos(a, 'nines/usage/batches'), 128);
});

test('a publish outside the role is refused and the offender disconnected', async () => {
  const w = await connect('worker:w9', secrets.worker);
  const closed = new Promise<void>((resolve) => w.once('close', () => resolve()));
  w.publish('nines/jobs/submit', Buffer.from('x'));
  await closed;
  assert.equal(w.connected, false);
});
