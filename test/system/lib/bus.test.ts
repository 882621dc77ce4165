import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { connectBus } from '../../../system/lib/bus.ts';
import { ConsulClient } from '../../../system/lib/consul.ts';
import { createLogger } from '../../../system/lib/logger.ts';
import { encodeLeader } from '../../../system/lib/leader-watch.ts';
import { startTestConsul } from '../../helpers/consul.ts';
import { defer } from '../../helpers/defer.ts';
import { startBroker, waitUntil } from '../../helpers/mqtt.ts';

const log = createLogger('bus-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const key = 'nines/test/broker-leader';

test('a leader change while the old connection waits for its CONNACK moves the bus over and leaves no timer behind', async (t) => {
  const consul = await startTestConsul(t, 1);
  const c = new ConsulClient(consul.servers[0]!.httpUrl);
  const session = (name: string) => c.createSession({ name, ttl: '30s', lockDelay: '0s', nodeChecks: ['serfHealth'], behavior: 'release' });

  // The old leader's address accepts connections and never answers, as Toxiproxy does for
  // a broker that has just died behind it: the bus's client sends CONNECT and waits.
  const held: net.Socket[] = [];
  let closed = 0;
  const silent = net.createServer((s) => {
    held.push(s);
    s.on('close', () => closed++);
    s.resume(); // read and drop the CONNECT, so the client's FIN is seen
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  defer(t, () => {
    held.forEach((s) => s.destroy());
    silent.close();
  });
  const oldLeader = await session('old');
  assert.ok(await c.acquire(key, oldLeader, encodeLeader('old', `mqtt://127.0.0.1:${(silent.address() as net.AddressInfo).port}`)));

  const bus = connectBus({ consulUrl: consul.servers[0]!.httpUrl, key, routes: {} }, { role: 'api', id: 'a1', secret: 'x'.repeat(16), log });
  defer(t, () => bus.endAsync(true));
  await waitUntil(() => held.length > 0, 10_000, 'the bus connecting to the old leader');
  const waitingSince = Date.now();

  const mq = await startBroker(t);
  await c.release(key, oldLeader);
  assert.ok(await c.acquire(key, await session('new'), encodeLeader('new', mq.url)));
  await waitUntil(() => bus.connected, 10_000, 'the bus connected to the new leader');
  assert.equal(bus.brokerUrl, mq.url);
  // The old client is ended: its connection to the old address closes.
  await waitUntil(() => closed === held.length, 5_000, 'the old connection closed');

  // Past the old attempt's CONNACK timeout (3 s). Before the fix its timer fired 'error' on a
  // client with no listener left: an uncaught exception, which fails this test.
  await new Promise((r) => setTimeout(r, Math.max(0, waitingSince + 3_500 - Date.now())));
  assert.ok(bus.connected, 'still connected to the new leader');
  assert.equal(bus.brokerUrl, mq.url);
});
