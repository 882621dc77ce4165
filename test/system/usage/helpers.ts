/**
 * Shared fixtures for the usage tests: a real aedes broker on port 0 (no auth), real
 * mqtt.js clients, temp directories and sample records. Nothing is mocked.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger } from '../../../system/lib/logger.ts';
import { topics } from '../../../system/lib/topics.ts';
import type { UsageBatch, UsageRecord } from '../../../system/usage/types.ts';

export const silentLog = createLogger('usage-test', process.env.TEST_LOG_LEVEL ?? 'silent');

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

/** Polls `cond` every 10 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A plain mqtt.js client, connected, ended in t.after. */
export async function connectClient(t: TestContext, url: string, clientId: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 });
  t.after(() => client.endAsync(true));
  return client;
}

/**
 * An api server's side of the protocol: publishes batches and records the acks it gets
 * on its usage-ack topic.
 */
export async function apiSide(t: TestContext, url: string, apiId: string) {
  const client = await connectClient(t, url, `api-${apiId}`);
  await client.subscribeAsync(topics.usageAck(apiId), { qos: 0 });
  const acks: string[] = [];
  client.on('message', (topic, payload) => {
    if (topic === topics.usageAck(apiId)) acks.push((JSON.parse(payload.toString()) as { batchId: string }).batchId);
  });
  return {
    client,
    acks,
    publish: (batch: UsageBatch | string | Buffer) =>
      client.publishAsync(topics.usageBatches, typeof batch === 'object' && !Buffer.isBuffer(batch) ? JSON.stringify(batch) : batch),
    /** Resolves when `n` acks for `batchId` have arrived in total. */
    acked: (batchId: string, n = 1, timeoutMs = 10_000) =>
      waitUntil(() => acks.filter((a) => a === batchId).length >= n, timeoutMs, `ack #${n} for ${batchId}`),
  };
}

/** A temporary directory removed in t.after. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'nines-usage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let seq = 0;
/** A complete, valid usage record; `over` replaces any field. */
export function record(over: Partial<UsageRecord> = {}): UsageRecord {
  seq += 1;
  return {
    requestId: `req-${process.pid}-${seq}`,
    tenantId: 'tenant-a',
    keyId: 'key-1',
    at: '2026-11-26T04:15:00.000Z',
    status: 200,
    inputBytes: 370_000,
    outputBytes: 20_000,
    inputFormat: 'jpeg',
    outputFormat: 'webp',
    inputWidth: 1600,
    inputHeight: 1306,
    outputWidth: 320,
    outputHeight: 261,
    cpuMs: 8.5,
    durationMs: 21,
    ...over,
  };
}

/** A batch of the given records from api server `apiId`. */
export function batch(batchId: string, records: UsageRecord[], apiId = 'api-1'): UsageBatch {
  return { batchId, apiId, records };
}
