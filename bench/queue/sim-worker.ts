/**
 * A simulated worker for bench/queue.ts: the real worker's queue side (system/worker/feed.ts:
 * credit grants, batched dispatches decoded through their schema, epoch fencing, batched
 * replies, bare acks riding on credit), but every job is answered at once with a small fixed
 * result: nothing is fetched or resized, so the broker is what is measured.
 *
 * With sim-api.ts, this is the only part of the bench that knows the queue protocol: port
 * these two files when the protocol changes.
 */
import type { Logger } from 'pino';
import { connectBus } from '../../system/lib/bus.ts';
import { encodeBatch } from '../../system/lib/wire.ts';
import type { ResultReply } from '../../system/lib/jobs.ts';
import { JobFeed, type FeedJob } from '../../system/worker/feed.ts';
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
  private readonly feed: JobFeed;

  constructor(private readonly o: SimWorkerOptions) {
    this.feed = new JobFeed({
      brokers: [{ url: o.brokerUrl }],
      id: o.id,
      secret: o.secret,
      credit: o.credit,
      log: o.log,
      connect: (source, opts) => {
        const bus = connectBus(source, opts);
        bus.on('message', (_topic: string, payload: Buffer) => o.traffic.add('broker→worker', payload.length));
        return countingBus(bus, o.traffic, 'worker→broker');
      },
    });
    this.feed.on('job', (job: FeedJob) => this.answer(job));
  }

  /** Resolves once connected (its reset grant is then on its way), bounded by `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    await connected([this.feed], timeoutMs, `worker ${this.o.id}`);
  }

  async close(): Promise<void> {
    await this.feed.stop();
  }

  /**
   * As the real worker's `finish`: a claim-checked job's reply goes straight to its api,
   * which acks it to the broker; when that api no longer waits, a bare ack. Any other
   * reply goes through the broker, which takes it as the ack on its way.
   */
  private answer(job: FeedJob): void {
    this.o.onJob(job.header.jobId);
    const reply: ResultReply = { type: 'result', jobId: job.header.jobId, epoch: job.epoch, contentType: 'image/jpeg', format: 'jpeg', width: 8, height: 8, cpuMs: 1 };
    if (!job.header.blob) this.feed.reply(job, reply, result);
    else if (!this.o.handOver(job.header.replyTo, encodeBatch({ replies: [{ ...reply, bytes: RESULT_BYTES }] }, [result]))) this.feed.ack(job);
    this.feed.done();
  }
}
