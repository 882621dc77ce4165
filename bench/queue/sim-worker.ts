/**
 * A simulated worker for bench/queue.ts: the worker protocol exactly as system/worker/app.ts
 * speaks it (subscribe to its job topic, announce its credit on every connect, decode each
 * dispatch, drop older epochs, answer, ack what nobody took), but every job is answered at
 * once with a small fixed result: nothing is fetched or resized, so the broker is what is
 * measured.
 *
 * With sim-api.ts, this is the only part of the bench that knows the queue protocol
 * (topics, frames, headers): port these two files when the protocol changes.
 */
import type { Logger } from 'pino';
import { connectBus, type Bus, type MqttBus } from '../../system/lib/bus.ts';
import { topics } from '../../system/lib/topics.ts';
import { decodeFrame, encodeFrame } from '../../system/lib/wire.ts';
import type { AckMessage, DispatchHeader, ReadyMessage, ResultReply } from '../../system/lib/jobs.ts';
import { countingBus, type Traffic } from './traffic.ts';
import { connected } from './connected.ts';

/** A small resized JPEG's size: the result every job gets. */
const RESULT_BYTES = 300;
const result = Buffer.alloc(RESULT_BYTES, 0x5a);

export interface SimWorkerOptions {
  id: string;
  brokerUrl: string;
  secret: string;
  /** Jobs the broker may hand it at once (the real worker's concurrency + prefetch). */
  credit: number;
  traffic: Traffic;
  log: Logger;
  /** Called for every job the broker dispatches here, before it is answered. */
  onJob(jobId: string): void;
  /**
   * The claim check's direct reply: hands `replyFrame` to api server `apiId` as the real
   * worker's PUT does; false when that api no longer waits for it (the PUT's 404).
   */
  handOver(apiId: string, replyFrame: Buffer): boolean;
}

export class SimWorker {
  private readonly bus: MqttBus;
  private readonly out: Bus;
  /** The highest broker epoch seen; older dispatches come from a deposed leader. */
  private epoch = -1;

  constructor(private readonly o: SimWorkerOptions) {
    const jobsTopic = topics.workerJobs(o.id);
    this.bus = connectBus({ url: o.brokerUrl }, { role: 'worker', id: o.id, secret: o.secret, log: o.log, subscriptions: [jobsTopic] });
    this.out = countingBus(this.bus, o.traffic, 'worker→broker');
    this.bus.on('connect', () => {
      const ready: ReadyMessage = { capacity: o.credit };
      this.out.publish(topics.workerReady(o.id), JSON.stringify(ready), { qos: 0 });
    });
    this.bus.on('message', (topic: string, payload: Buffer) => {
      if (topic !== jobsTopic) return;
      o.traffic.add('broker→worker', payload.length);
      this.onDispatch(payload);
    });
  }

  ready(timeoutMs: number): Promise<void> {
    return connected(this.bus, timeoutMs, `worker ${this.o.id}`);
  }

  async close(): Promise<void> {
    await this.bus.endAsync(true);
  }

  private onDispatch(payload: Buffer): void {
    let job: DispatchHeader;
    try {
      job = decodeFrame<DispatchHeader>(payload).header;
    } catch (err) {
      this.o.log.error({ err }, 'malformed dispatch dropped');
      return;
    }
    if (job.epoch < this.epoch) return;
    this.epoch = job.epoch;
    this.o.onJob(job.jobId);
    const header: ResultReply = { type: 'result', jobId: job.jobId, epoch: job.epoch, contentType: 'image/jpeg', format: 'jpeg', width: 8, height: 8, cpuMs: 1 };
    this.finish(job, encodeFrame(header, result));
  }

  /**
   * As the real worker's `finish`: a claim-checked job's reply goes straight to its api,
   * which acks it to the broker; when that api no longer waits, a bare ack. Any other
   * reply goes through the broker, which takes it as the ack on its way.
   */
  private finish(job: DispatchHeader, reply: Buffer): void {
    if (job.blob) {
      if (this.o.handOver(job.replyTo, reply)) return;
      const ack: AckMessage = { jobId: job.jobId, epoch: job.epoch };
      this.out.publish(topics.workerAck(this.o.id), JSON.stringify(ack), { qos: 0 });
      return;
    }
    this.out.publish(topics.apiReply(job.replyTo), reply, { qos: 0 });
  }
}
