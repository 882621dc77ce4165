/**
 * The api server's side of one queue shard: publishes jobs, matches replies to waiting
 * requests by job id, enforces each job's deadline, and drops what must not be believed — a
 * reply for a job nobody waits for (a duplicate after a redelivery, or too late) and a reply
 * stamped with an older broker epoch than one already seen.
 *
 * Jobs submitted within one turn of the event loop leave in one frame (system/lib/coalescer.ts):
 * a lone job leaves at once, a burst costs the broker one message. A job alone keeps the frame
 * its image was read into (allocFrame's headroom takes the header), so it is not copied.
 *
 * While disconnected, pending jobs stay pending; on reconnect they are published again (to
 * the new leader, after a failover). Job ids make that idempotent on our side.
 *
 * It also acks to the broker the jobs whose replies workers handed it directly (the one ack
 * protocol, system/lib/jobs.ts), on the next submission or alone after `ackDelayMs`. A
 * republished frame may carry acks again: the broker ignores them for jobs it no longer holds
 * or for another epoch.
 */
import type { Bus } from '../lib/bus.ts';
import type { Logger } from 'pino';
import { decodeFrame, encodeBatch, setFrameHeader, splitBodies } from '../lib/wire.ts';
import { topics } from '../lib/topics.ts';
import { MAX_BATCH, replyBatchSchema, type Ack, type AckList, type JobHeader, type ReplyHeader, type Submission, type WireReply } from '../lib/jobs.ts';
import { Coalescer } from '../lib/coalescer.ts';
import { DeadlineExceededError, QueueUnavailableError } from './errors.ts';
import type { QueueMetrics } from './queue-metrics.ts';

/** Gives a shard its queue metrics (queue-metrics.ts: `queueMetrics(registry)`). */
type MetricsOf = (shard: number) => QueueMetrics;

export interface Reply {
  header: ReplyHeader;
  body: Buffer;
  /** The queue shard that carried the job. */
  shard: number;
}

interface Pending {
  header: JobHeader;
  /** The image (empty for a claim check) and, when it has headroom, the frame around it. */
  body: Buffer;
  frame?: Buffer;
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface JobClientOptions {
  shard: number;
  retryAfterS: number;
  /** How long a new job may wait for a broker connection (a failover) before a 503. */
  brokerWaitMs?: number;
  /**
   * How long an ack waits for a submission to ride on before it is sent alone. Under load a
   * submission nearly always comes first; when idle, the worker's job is settled this late.
   */
  ackDelayMs?: number;
}

export class JobClient {
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<() => void>();
  private disconnectedSince: number | undefined = performance.now();
  private epoch = -1;
  private everConnected = false;
  /** Replies workers handed us directly, not yet acked to the broker. */
  private acks: Ack[] = [];
  private ackTimer: NodeJS.Timeout | undefined;
  private readonly outbox = new Coalescer<0, Pending>((_k, jobs) => this.publishJobs(jobs), MAX_BATCH);
  readonly shard: number;
  private readonly m: QueueMetrics;

  constructor(
    private readonly client: Bus,
    private readonly log: Logger,
    metrics: MetricsOf,
    private readonly o: JobClientOptions,
  ) {
    this.shard = o.shard;
    this.m = metrics(o.shard);
    client.on('connect', () => {
      if (this.everConnected && this.pending.size > 0) {
        log.info({ pending: this.pending.size }, 'reconnected: publishing pending jobs again');
        const all = [...this.pending.values()];
        for (let i = 0; i < all.length; i += MAX_BATCH) this.publishJobs(all.slice(i, i + MAX_BATCH));
      }
      this.everConnected = true;
      this.disconnectedSince = undefined;
      for (const w of [...this.waiters]) w();
    });
    client.on('close', () => {
      this.disconnectedSince ??= performance.now();
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * True while a job would be accepted: connected, or disconnected for less than the
   * broker wait (a failover in progress). Readiness uses it, so a load balancer does not
   * pull every api server out of rotation during a routine leader change.
   */
  get available(): boolean {
    return this.client.connected || (this.everConnected && this.disconnectedSince !== undefined && performance.now() - this.disconnectedSince < (this.o.brokerWaitMs ?? 0));
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** True when a request waits for this job here. */
  has(jobId: string): boolean {
    return this.pending.has(jobId);
  }

  /**
   * Publishes a job and resolves with its reply, or rejects with a 503/504 error. The image
   * is either `body` (a view into a frame from `allocFrame`, passed as `frame`, whose headroom
   * takes the header when the job travels alone) or, for a claim check, named by `header.blob`.
   */
  async submit(header: JobHeader, body: Buffer, deadlineMs: number, frame?: Buffer): Promise<Reply> {
    if (!this.client.connected) {
      // A failover takes a second or two: hold the request briefly rather than fail it, but
      // never past a bound, so a dead queue still gets a prompt 503.
      const waitMs = Math.min(this.o.brokerWaitMs ?? 0, deadlineMs / 2);
      if (waitMs <= 0 || !(await this.waitForConnection(waitMs))) {
        this.m.jobs.no_broker.inc();
        throw new QueueUnavailableError('no_broker', this.o.retryAfterS);
      }
      deadlineMs = Math.max(1, header.deadline - Date.now());
    }
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(header.jobId);
        this.m.jobs.deadline.inc();
        reject(new DeadlineExceededError(deadlineMs));
      }, deadlineMs);
      const p: Pending = { header, body, frame, resolve, reject, timer };
      this.pending.set(header.jobId, p);
      this.outbox.add(0, p);
    });
  }

  private waitForConnection(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(onConnect);
        resolve(ok);
      };
      const onConnect = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.waiters.add(onConnect);
    });
  }

  /** One frame for the jobs still waiting (settled ones are left out), with the acks held. */
  private publishJobs(batch: Pending[]): void {
    const jobs = batch.filter((p) => this.pending.get(p.header.jobId) === p);
    if (jobs.length === 0) return;
    const acks = this.takeAcks();
    if (acks.length) this.m.acks.submission.inc(acks.length);
    const header: Submission = { jobs: jobs.map((p) => ({ ...p.header, bytes: p.body.length })), ...(acks.length ? { acks } : {}) };
    const only = jobs.length === 1 ? jobs[0]! : undefined;
    const frame = only?.frame ? setFrameHeader(only.frame, header) : encodeBatch(header, jobs.map((p) => p.body));
    this.client.publish(topics.submit, frame, { qos: 0 }, (err) => {
      if (!err) return;
      for (const p of jobs) this.settle(p.header.jobId)?.reject(new QueueUnavailableError('no_broker', this.o.retryAfterS));
    });
  }

  /** Feeds a reply frame from our MQTT reply topic. Throws FrameError for an unreadable frame. */
  onReplyFrame(frame: Buffer): void {
    for (const { header, body } of readReplies(frame)) this.onReply(header, body);
  }

  /**
   * A reply a worker handed us directly (the claim check's PUT): settled like any other,
   * then acked to the broker by us, since the worker does not ack a reply we took. False
   * when no request waits for it (duplicate, late, old epoch): then the worker acks.
   */
  onDirectReply(header: ReplyHeader, body: Buffer): boolean {
    if (!this.onReply(header, body)) return false;
    this.acks.push({ jobId: header.jobId, epoch: header.epoch });
    this.ackTimer ??= setTimeout(() => this.sendAcks(), this.o.ackDelayMs ?? 5);
    return true;
  }

  /** Settles the job the reply is for; false when it is not believed or nobody waits. */
  onReply(header: ReplyHeader, body: Buffer): boolean {
    if (header.epoch < this.epoch) {
      this.m.replies.stale_epoch.inc();
      this.log.warn({ jobId: header.jobId, epoch: header.epoch, current: this.epoch }, 'reply from an old epoch dropped');
      return false;
    }
    this.epoch = header.epoch;
    const p = this.settle(header.jobId);
    if (!p) {
      this.m.replies.unknown_job.inc();
      return false;
    }
    this.m.replies.matched.inc();
    this.m.jobs[header.type === 'rejected' ? 'rejected' : 'answered'].inc();
    if (header.type === 'rejected') p.reject(new QueueUnavailableError(header.reason, header.retryAfterS));
    else p.resolve({ header, body, shard: this.shard });
    return true;
  }

  /** Fails every pending job and sends the acks still held (shutdown). */
  failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
    this.sendAcks();
  }

  private takeAcks(): Ack[] {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const acks = this.acks;
    this.acks = [];
    return acks;
  }

  /**
   * Acks with no submission to ride on. Lost if the broker is unreachable now: the broker
   * then redelivers those jobs after its timeout, and the worker finds the claim gone (404)
   * and acks them itself. Nothing is lost but a little work.
   */
  private sendAcks(): void {
    if (this.acks.length === 0) return;
    const msg: AckList = { acks: this.takeAcks() };
    this.m.acks.alone.inc(msg.acks.length);
    this.client.publish(topics.jobAcks, JSON.stringify(msg), { qos: 0 });
  }

  private settle(jobId: string): Pending | undefined {
    const p = this.pending.get(jobId);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(jobId);
    return p;
  }
}

/** The replies of a reply frame, each with its body; throws FrameError for an unreadable frame. */
export function readReplies(frame: Buffer): Array<{ header: ReplyHeader; body: Buffer }> {
  const { header, body } = decodeFrame(frame, replyBatchSchema);
  const bodies = splitBodies(body, header.replies);
  return header.replies.map((r: WireReply, i) => {
    const { bytes: _bytes, ...reply } = r;
    return { header: reply as ReplyHeader, body: bodies[i]! };
  });
}
