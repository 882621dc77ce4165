/**
 * A real aedes broker for tests, in the test's process on a free loopback port (no auth),
 * and the polling wait the tests use with it.
 */
import net from 'node:net';
import type { TestContext } from 'node:test';
import { Aedes } from 'aedes';
import { pollUntil } from '../../harness/stack/poll.ts';

export interface TestBroker {
  broker: Aedes;
  port: number;
  url: string;
  /** Resolves once some client has subscribed to `topic` (including a subscription already made). */
  subscribed(topic: string, timeoutMs?: number): Promise<void>;
}

/** Starts an aedes broker on a free loopback port and closes it in t.after. */
export async function startBroker(t: TestContext): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const seen = new Set<string>();
  broker.on('subscribe', (subs) => subs.forEach((s) => seen.add(s.topic)));
  t.after(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    broker,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    subscribed: (topic, timeoutMs = 10_000) =>
      waitUntil(() => seen.has(topic), timeoutMs, `no subscription to ${topic}`),
  };
}

/** Polls `cond` every 10 ms until it holds (pollUntil, harness/stack/poll.ts); rejects after `timeoutMs`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  await pollUntil(async () => (cond() ? true : undefined), { timeoutMs, everyMs: 10, what });
}
