/**
 * Stages one usage record per request into local batches, bounded by count and age, and
 * sends each batch to the usage service over MQTT. A batch stays pending until the usage
 * service acks its id and is resent on a timer until then; the usage service stores batch
 * ids, so a resent batch is counted once. Pending records are bounded: past the bound the
 * oldest batch is dropped and counted, so a long usage outage cannot exhaust memory.
 */
import { randomUUID } from 'node:crypto';
import type { Bus } from '../lib/bus.ts';
import { ArmedInterval } from '../lib/armed-interval.ts';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { topics } from '../lib/topics.ts';
import type { UsageBatch, UsageRecord } from '../usage/types.ts';

export interface BatcherOptions {
  apiId: string;
  maxRecords: number;
  maxAgeMs: number;
  resendMs: number;
  maxPendingRecords: number;
}

export class UsageBatcher {
  private current: UsageRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly unacked = new Map<string, { batch: UsageBatch; sentAt: number }>();
  private unackedRecords = 0;
  /** Armed only while a batch waits for its ack. */
  private readonly resendTimer: ArmedInterval;
  private readonly m: { batches: Counter<'outcome'>; pending: Gauge };

  constructor(
    private readonly client: Pick<Bus, 'connected' | 'publish'>,
    private readonly opts: BatcherOptions,
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.m = {
      batches: new Counter({
        name: 'nines_api_usage_batches_total',
        help: 'Usage batches by outcome: sent, resent, acked, dropped.',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
      pending: new Gauge({ name: 'nines_api_usage_pending_records', help: 'Usage records not yet acked by the usage service.', registers: [registry] }),
    };
    this.resendTimer = new ArmedInterval(() => this.resend(), Math.max(100, Math.floor(opts.resendMs / 2)));
  }

  get pendingRecords(): number {
    return this.unackedRecords + this.current.length;
  }

  add(record: UsageRecord): void {
    this.current.push(record);
    if (this.current.length >= this.opts.maxRecords) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.opts.maxAgeMs);
  }

  /** Seals the current batch and sends it. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.current.length === 0) return;
    const batch: UsageBatch = { batchId: randomUUID(), apiId: this.opts.apiId, records: this.current };
    this.current = [];
    this.unacked.set(batch.batchId, { batch, sentAt: Date.now() });
    this.unackedRecords += batch.records.length;
    this.shed();
    this.send(batch);
    this.resendTimer.arm();
    this.m.batches.inc({ outcome: 'sent' });
    this.m.pending.set(this.pendingRecords);
  }

  onAck(batchId: string): void {
    const e = this.unacked.get(batchId);
    if (!e) return;
    this.unacked.delete(batchId);
    this.unackedRecords -= e.batch.records.length;
    if (this.unacked.size === 0) this.resendTimer.disarm();
    this.m.batches.inc({ outcome: 'acked' });
    this.m.pending.set(this.pendingRecords);
  }

  /** Flushes and waits (bounded) for the usage service to ack everything. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.flush();
    const until = Date.now() + timeoutMs;
    while (this.unacked.size > 0 && Date.now() < until) {
      this.resend(true);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.unacked.size === 0;
  }

  close(): void {
    this.resendTimer.close();
    clearTimeout(this.flushTimer);
    if (this.unackedRecords > 0) this.log.warn({ records: this.unackedRecords }, 'closing with unacked usage records');
  }

  private send(batch: UsageBatch): void {
    if (!this.client.connected) return; // the resend timer tries again once connected
    this.client.publish(topics.usageBatches, JSON.stringify(batch), { qos: 0 });
  }

  private resend(force = false): void {
    const now = Date.now();
    for (const e of this.unacked.values()) {
      if (force ? now - e.sentAt < 200 : now - e.sentAt < this.opts.resendMs) continue;
      e.sentAt = now;
      this.send(e.batch);
      this.m.batches.inc({ outcome: 'resent' });
    }
  }

  private shed(): void {
    while (this.unackedRecords > this.opts.maxPendingRecords && this.unacked.size > 1) {
      const [id, e] = this.unacked.entries().next().value as [string, { batch: UsageBatch }];
      this.unacked.delete(id);
      this.unackedRecords -= e.batch.records.length;
      this.m.batches.inc({ outcome: 'dropped' });
      this.log.error({ batchId: id, records: e.batch.records.length }, 'usage batch dropped: too many unacked records');
    }
  }
}
