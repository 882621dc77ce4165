/**
 * Fuzzing the broker's queue topics from authenticated clients, over the real stack (a real
 * broker process, api server and worker). Thousands of random and mutated frames go to every
 * topic an api server and a worker may publish to: random bytes, flipped bytes, truncations,
 * lying header lengths, headers over the size bound, JSON of the wrong shape, body sizes that
 * do not add up. The broker must stay up, refuse them (counted, the publisher keeps its
 * connection), and serve real jobs correctly afterwards. Seeded, so a failure repeats.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import sharp from 'sharp';
import { encodeBatch } from '../../../system/lib/wire.ts';
import { topics } from '../../../system/lib/topics.ts';
import { fixture, resizeReq, startTestStack, type TestStack } from '../../helpers/stack.ts';
import { metricSum } from '../../helpers/metrics.ts';

let s: TestStack;
before(async () => {
  s = await startTestStack({ workers: 1 });
});
after(() => s?.dispose());

/** mulberry32: a small seeded PRNG, so a failing run can be repeated exactly. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const validJob = { jobId: 'fz-1', tenantId: 't', replyTo: 'fz', deadline: Date.now() + 1000, params: { fit: 'cover', format: 'jpeg', width: 8 } };
const seeds: Record<string, Buffer> = {
  submit: encodeBatch({ jobs: [{ ...validJob, bytes: 3 }], acks: [{ jobId: 'x', epoch: 0 }] }, [Buffer.from('abc')]),
  acks: Buffer.from(JSON.stringify({ acks: [{ jobId: 'x', epoch: 0 }] })),
  credit: Buffer.from(JSON.stringify({ grant: 0, acks: [{ jobId: 'x', epoch: 0 }] })),
  reply: encodeBatch({ replies: [{ type: 'result', jobId: 'x', epoch: 0, contentType: 'image/jpeg', format: 'jpeg', width: 1, height: 1, cpuMs: 1, bytes: 2 }] }, [Buffer.from('ok')]),
};
const wrongShapes = ['null', '1', '"x"', '[]', '{}', '{"jobs":"x"}', '{"jobs":[{"jobId":1}]}', '{"grant":-1}', '{"grant":1e9}', '{"acks":[{"jobId":"x"}]}', '{"replies":[{"type":"nope"}]}', `{"jobs":[${'{},'.repeat(300)}{}]}`, '['.repeat(5000)];

/** One hostile payload, built from a valid seed or from nothing. */
function mutate(rand: () => number, seed: Buffer): Buffer {
  const pick = Math.floor(rand() * 7);
  const b = Buffer.from(seed);
  switch (pick) {
    case 0:
      return Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
    case 1:
      for (let i = 0; i < 1 + rand() * 8; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return b;
    case 2:
      return b.subarray(0, Math.floor(rand() * b.length));
    case 3: {
      const lying = Buffer.from(b);
      lying.writeUInt32BE([0, 1, b.length, 0xffffffff, Math.floor(rand() * 2 ** 32)][Math.floor(rand() * 5)]!, 0);
      return lying;
    }
    case 4:
      return encodeBatch(JSON.parse('{"pad":"' + ' '.repeat(600 * 1024) + '"}'), []);
    case 5: {
      const shape = wrongShapes[Math.floor(rand() * wrongShapes.length)]!;
      return rand() < 0.5 ? Buffer.from(shape) : Buffer.concat([lengthOf(shape), Buffer.from(shape)]);
    }
    default:
      // A valid header whose body sizes do not add up.
      return Buffer.concat([b, Buffer.from('extra')]);
  }
}
const lengthOf = (s: string) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(Buffer.byteLength(s), 0);
  return b;
};

function connect(username: string, password: string): Promise<MqttClient> {
  const c = mqtt.connect(s.brokerUrl, { username, password, clientId: username.replace(':', '-'), reconnectPeriod: 0, protocolVersion: 4 });
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

const refusedTotal = () => metricSum(s.brokerHttpUrl, 'nines_broker_refused_messages_total');

test('thousands of random and mutated frames on every queue topic are refused; the broker stays up and serves real jobs after', async () => {
  const rand = prng(20261203);
  const api = await connect('api:fz', s.secrets.api);
  const worker = await connect('worker:fzw', s.secrets.worker);
  let closes = 0;
  for (const c of [api, worker]) c.on('close', () => closes++);
  const targets: Array<[MqttClient, string, Buffer]> = [
    [api, topics.submit, seeds.submit!],
    [api, topics.jobAcks, seeds.acks!],
    [worker, topics.workerCredit('fzw'), seeds.credit!],
    [worker, topics.apiReply('a1'), seeds.reply!],
  ];
  const before = await refusedTotal();
  const brokerPid = s.broker.pid;
  assert.ok(brokerPid, 'the broker runs as its own process');
  let sent = 0;
  let randomOnes = 0;
  for (let i = 0; i < 4000; i++) {
    const [client, topic, seed] = targets[i % targets.length]!;
    const payload = i % 10 === 0 ? Buffer.from(Array.from({ length: 1 + (i % 97) }, () => Math.floor(rand() * 256))) : mutate(rand, seed);
    if (i % 10 === 0) randomOnes++;
    await client.publishAsync(topic, payload, { qos: 0 });
    sent++;
  }
  // Let the broker drain what was written, then read its count.
  await new Promise((r) => setTimeout(r, 500));
  const refused = (await refusedTotal()) - before;
  assert.equal(s.broker.running, true, 'the broker process is still running');
  assert.equal(s.broker.pid, brokerPid, 'and it is the same process');
  assert.equal(closes, 0, 'a refused frame does not cost its publisher the connection');
  assert.ok(api.connected && worker.connected);
  // Random bytes never decode; most mutations cannot either (some, e.g. a flipped byte
  // inside a string, still make a valid message, which is then simply acted on).
  assert.ok(refused >= randomOnes, `refused ${refused} of ${sent}, at least the ${randomOnes} random ones`);
  assert.ok(refused >= sent * 0.8, `refused ${refused} of ${sent}`);
  // The fuzzing worker leaves: whatever credit a mutated-but-valid grant gave it goes with it.
  await Promise.all([api.endAsync(), worker.endAsync()]);

  const image = fixture('320x240.jpg');
  for (let i = 0; i < 5; i++) {
    const r = await resizeReq(s, image, { query: 'width=32' });
    assert.equal(r.status, 200);
    assert.equal((await sharp(Buffer.from(await r.arrayBuffer())).metadata()).width, 32);
  }
  const small = await resizeReq(s, fixture('Flag_of_the_Netherlands-16bit.png'), { query: 'width=20' });
  assert.equal(small.status, 200, 'a small image travelling inside the frame works too');
});
