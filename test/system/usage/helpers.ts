/**
 * Shared fixtures for the usage tests: real mqtt.js clients (the aedes broker is in
 * test/helpers/mqtt.ts), temp directories and sample records. Nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger } from '../../../system/lib/logger.ts';
import { topics } from '../../../system/lib/topics.ts';
import type { UsageBatch, UsageRecord } from '../../../system/usage/types.ts';
import { waitUntil } from '../../helpers/mqtt.ts';

export const silentLog = createLogger('usage-test', process.env.TEST_LOG_LEVEL ?? 'silent');

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
