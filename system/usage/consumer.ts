/**
 * Turns usage batches arriving over MQTT into stored records, and acks each one to the
 * api server that sent it. The ack is what lets the api server forget a batch, so it is
 * sent only after the batch is committed; a duplicate is acked too, because its sender
 * evidently missed the first ack and will otherwise resend forever. A malformed batch is
 * logged, counted and dropped without an ack: acking would tell the sender its records
 * are safe when they were not stored.
 */
import type { Bus } from '../lib/bus.ts';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { topics } from '../lib/topics.ts';
import { isNinesError } from '../lib/errors.ts';
import type { UsageStore } from './store.ts';
import type { UsageAck, UsageBatch } from './types.ts';
import { parseBatch } from './validate.ts';
import { InvalidBatchError } from './errors.ts';

export interface ConsumerDeps {
  /** One connection per queue shard; batches are acked on the shard they came through. */
  clients: readonly Bus[];
  store: UsageStore;
  log: Logger;
  registry: Registry;
}

export interface Consumer {
  /** Stops handling messages; the MQTT client itself is left to its owner. */
  stop(): void;
}

type Outcome = 'ingested' | 'duplicate' | 'invalid' | 'error';

/** Handles every message on topics.usageBatches: validate, ingest, ack. Never throws from a message. */
export function startConsumer({ clients, store, log: parentLog, registry }: ConsumerDeps): Consumer {
  const log = parentLog.child({ module: 'consumer' });
  const batches = new Counter({
    name: 'nines_usage_batches_total',
    help: 'Usage batches received, by queue shard they came through and outcome (ingested, duplicate, invalid, error = store failure, not acked).',
    labelNames: ['shard', 'outcome'] as const,
    registers: [registry],
  });
  const recordsTotal = new Counter({
    name: 'nines_usage_records_total',
    help: 'Usage records newly stored (records already seen under another batch are not counted).',
    registers: [registry],
  });
  const ingestDuration = new Histogram({
    name: 'nines_usage_ingest_duration_seconds',
    help: 'Time to store one usage batch in SQLite, transaction included.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  // Every outcome appears in /metrics from the start, so rate() works before the first event.
  clients.forEach((_c, shard) => {
    for (const o of ['ingested', 'duplicate', 'invalid', 'error'] satisfies Outcome[]) batches.inc({ shard, outcome: o }, 0);
  });

  const ack = (client: Bus, batch: UsageBatch) => {
    const body: UsageAck = { batchId: batch.batchId };
    client.publish(topics.usageAck(batch.apiId), JSON.stringify(body), { qos: 0 }, (err) => {
      // Offline: the sender resends after its timeout, and the duplicate is acked then.
      if (err) log.warn({ err: err.message, batchId: batch.batchId, apiId: batch.apiId }, 'usage ack not sent');
    });
  };

  const onMessage = (shard: number, topic: string, payload: Buffer) => {
    if (topic !== topics.usageBatches) return;
    const client = clients[shard]!;
    let batch: UsageBatch;
    try {
      batch = parseBatch(payload);
    } catch (err) {
      batches.inc({ shard, outcome: 'invalid' });
      const problems = err instanceof InvalidBatchError ? err.problems.slice(0, 10) : [String(err)];
      log.warn({ code: isNinesError(err) ? err.code : undefined, shard, bytes: payload.length, problems }, 'invalid usage batch dropped');
      return;
    }
    let outcome: Outcome;
    const end = ingestDuration.startTimer();
    try {
      const r = store.ingest(batch);
      outcome = r.duplicate ? 'duplicate' : 'ingested';
      if (r.inserted > 0) recordsTotal.inc(r.inserted);
      log.debug({ shard, batchId: batch.batchId, apiId: batch.apiId, ...r }, 'usage batch stored');
    } catch (err) {
      // Not acked: the api server keeps the batch and resends it, so nothing is lost.
      batches.inc({ shard, outcome: 'error' });
      log.error({ err, shard, batchId: batch.batchId, apiId: batch.apiId }, 'usage batch not stored');
      return;
    } finally {
      end();
    }
    batches.inc({ shard, outcome });
    ack(client, batch);
  };

  const handlers = clients.map((client, shard) => {
    const h = (topic: string, payload: Buffer) => onMessage(shard, topic, payload);
    client.on('message', h);
    return () => void client.off('message', h);
  });
  return { stop: () => handlers.forEach((off) => off()) };
}
