/**
 * A simulated api server for bench/queue.ts: the real JobClient over the real MqttBus, as
 * system/api/main.ts wires them, with no HTTP in front. It submits the jobs the bench asks
 * for and takes replies both ways the real one does: on its MQTT reply topic, and handed
 * over directly by a worker (the claim check's PUT, simulated in-process).
 *
 * With sim-worker.ts, this is the only part of the bench that knows the queue protocol
 * (topics, frames, headers): port these two files when the protocol changes.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { connectBus, type MqttBus } from '../../system/lib/bus.ts';
import { loadApiConfig, type ApiConfig } from '../../system/lib/config.ts';
import { JobClient } from '../../system/api/job-client.ts';
import { ShardedJobs } from '../../system/api/shards.ts';
import { queueMetrics } from '../../system/api/queue-metrics.ts';
import { topics } from '../../system/lib/topics.ts';
import { allocFrame, frameBody } from '../../system/lib/wire.ts';
import type { JobHeader, ResizeParams } from '../../system/lib/jobs.ts';
import { countingBus, type Traffic } from './traffic.ts';
import { connected } from './connected.ts';

/** `small`: the image rides in the job frame; `claim`: the frame carries a claim check only. */
export type JobKind = 'small' | 'claim';
export const jobKinds: readonly JobKind[] = ['small', 'claim'];

/** A small JPEG's size: what travels inline (the api claim-checks 64 KiB and up). */
const SMALL_IMAGE_BYTES = 600;
/** The claimed image's size as the claim states it; nobody fetches it here. */
const CLAIMED_IMAGE_BYTES = 829_183;
const smallImage = Buffer.alloc(SMALL_IMAGE_BYTES, 0xa5);
const params: ResizeParams = { width: 8, fit: 'cover', format: 'jpeg' };

export interface SimApiOptions {
  id: string;
  brokerUrl: string;
  secret: string;
  traffic: Traffic;
  log: Logger;
}

export class SimApi {
  readonly id: string;
  private readonly buses: MqttBus[];
  private readonly jobs: ShardedJobs;
  private readonly config: ApiConfig;

  constructor(o: SimApiOptions) {
    this.id = o.id;
    // The deployed defaults (deadline, broker wait, ack delay), from the api's own config.
    this.config = loadApiConfig({ NINES_BROKER_URL: o.brokerUrl, NINES_MQTT_SECRET: o.secret, NINES_INSTANCE_ID: o.id, NINES_SERVICE_TOKEN: 'bench-queue-unused-token' });
    const replyTopic = topics.apiReply(o.id);
    const c = this.config;
    const qm = queueMetrics(new Registry());
    this.buses = c.brokers.map((source) => connectBus(source, { role: 'api', id: o.id, secret: o.secret, log: o.log, subscriptions: [replyTopic] }));
    const clients = this.buses.map((bus, shard) => new JobClient(countingBus(bus, o.traffic, 'api→broker'), o.log, qm, { shard, retryAfterS: c.retryAfterS, brokerWaitMs: c.brokerWaitMs, ackDelayMs: c.ackDelayMs }));
    this.jobs = new ShardedJobs(clients);
    this.buses.forEach((bus, shard) =>
      bus.on('message', (topic: string, payload: Buffer) => {
        if (topic !== replyTopic) return;
        o.traffic.add('broker→api', payload.length);
        try {
          clients[shard]!.onReplyFrame(payload);
        } catch (err) {
          o.log.warn({ err, topic }, 'malformed message dropped');
        }
      }),
    );
  }

  /** Resolves once connected and subscribed (bounded by `timeoutMs`). */
  async ready(timeoutMs: number): Promise<void> {
    await connected(this.buses, timeoutMs, `api ${this.id}`);
  }

  /**
   * Submits one job as the resize route does and resolves when its result comes back;
   * rejects with the JobClient's error (a NinesError with statusCode 503 or 504).
   */
  async submit(jobId: string, kind: JobKind): Promise<void> {
    const header: JobHeader = { jobId, tenantId: 'bench', replyTo: this.id, deadline: Date.now() + this.config.deadlineMs, params };
    let reply;
    if (kind === 'small') {
      // A frame of its own per job, as the api reads each body into one: a publish may
      // still hold the previous frame when the next header is written.
      const frame = allocFrame(SMALL_IMAGE_BYTES);
      smallImage.copy(frameBody(frame));
      reply = await this.jobs.submit(header, frameBody(frame), this.config.deadlineMs, frame);
    } else {
      header.blob = { url: `http://127.0.0.1:8090/blobs/${jobId}`, token: randomUUID(), bytes: CLAIMED_IMAGE_BYTES };
      reply = await this.jobs.submit(header, Buffer.alloc(0), this.config.deadlineMs);
    }
    if (reply.header.type !== 'result') throw new Error(`unexpected ${reply.header.type} reply`);
  }

  /**
   * A reply a worker hands over directly (the claim check's PUT on the blob port): false
   * when no request waits for it, which the real worker hears as 404 and acks itself.
   */
  handOver(replyFrame: Buffer): boolean {
    return this.jobs.onDirectReplyFrame(replyFrame);
  }

  async close(): Promise<void> {
    await Promise.all(this.buses.map((b) => b.endAsync(true)));
  }
}
