/**
 * The api server's side of the queue: publishes jobs, matches replies to waiting requests
 * by job id, enforces each job's deadline, and drops what must not be believed — a reply
 * for a job nobody waits for (a duplicate after a redelivery, or too late) and a reply
 * stamped with an older broker epoch than one already seen.
 *
 * While disconnected, pending jobs stay pending; on reconnect they are published again
 * (to the new leader, after a failover). Job ids make that idempotent on our side.
 *
 * It also acks to the broker the jobs whose replies workers handed it directly (ApiAck in
 * system/lib/jobs.ts), on the next submission or alone after `ackDelayMs`. A republished
 * frame may carry acks again: the broker ignores them for jobs it no longer holds or for
 * another epoch; one for a job redelivered meanwhile frees that redelivery's credit early,
 * and the redelivery ends at once anyway (its claim is gone).
 */
import type { Bus } from '../lib/bus.ts';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { decodeFrame, encodeFrame, setFrameHeader } from '../lib/wire.ts';
import { topics } from '../lib/topics.ts';
import type { ApiAck, ApiAckMessage, JobHeader, ReplyHeader } from '../lib/jobs.ts';
import { DeadlineExceededError, QueueUnavailableError } from './errors.ts';

export interface Reply {
  header: ReplyHeader;
  body: Buffer;
}

interface Pending {
  frame: Buffer;
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class JobClient {
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<() => void>();
  private disconnectedSince: number | undefined = performance.now();
  private epoch = -1;
  private everConnected = false;
  private readonly replies: Counter<'outcome'>;
  private readonly acksSent: Counter<'via'>;
  /** Replies workers handed us directly, not yet acked to the broker (see ApiAck). */
  private acks: ApiAck[] = [];
  private ackTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Bus,
    private readonly log: Logger,
    registry: Registry,
    private readonly retryAfterS: number,
    /** How long a new job may wait for a broker connection (a failover) before a 503. */
    private readonly brokerWaitMs = 0,
    /**
     * How long an ack waits for a submission to ride on before it is sent alone. Under load
     * a submission nearly always comes first, and the broker reads one message per job
     * instead of two; when idle, the worker's credit comes back this much later.
     */
    private readonly ackDelayMs = 5,
  ) {
    this.acksSent = new Counter({
      name: 'nines_api_job_acks_total',
      help: 'Acks sent to the broker for replies workers handed over directly, by how: riding on a job submission, or alone after the ack delay.',
      labelNames: ['via'] as const,
      registers: [registry],
    });
    this.replies = new Counter({
      name: 'nines_api_queue_replies_total',
      help: 'Replies from the queue by outcome: matched, unknown_job (duplicate or late), stale_epoch.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    client.on('connect', () => {
      if (this.everConnected && this.pending.size > 0) {
        log.info({ pending: this.pending.size }, 'reconnected: publishing pending jobs again');
        for (const p of this.pending.values()) client.publish(topics.submit, p.frame, { qos: 0 });
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
    return this.client.connected || (this.everConnected && this.disconnectedSince !== undefined && performance.now() - this.disconnectedSince < this.brokerWaitMs);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Publishes a job and resolves with its reply, or rejects with a 503/504 error. The image
   * is either in `frameWithImage` (a frame from `allocFrame`; the header is written into
   * it) or, for a claim check, named by `header.blob` and the frame is omitted.
   */
  async submit(header: JobHeader, frameWithImage: Buffer | undefined, deadlineMs: number): Promise<Reply> {
    if (!this.client.connected) {
      // A failover takes a second or two: hold the request briefly rather than fail it, but
      // never past a bound, so a dead queue still gets a prompt 503.
      const waitMs = Math.min(this.brokerWaitMs, deadlineMs / 2);
      if (waitMs <= 0 || !(await this.waitForConnection(waitMs))) throw new QueueUnavailableError('no_broker', this.retryAfterS);
      deadlineMs = Math.max(1, header.deadline - Date.now());
    }
    return new Promise<Reply>((resolve, reject) => {
      if (this.acks.length > 0) {
        this.acksSent.inc({ via: 'submission' }, this.acks.length);
        header = { ...header, acks: this.takeAcks() };
      }
      const frame = frameWithImage ? setFrameHeader(frameWithImage, header) : encodeFrame(header);
      const timer = setTimeout(() => {
        this.pending.delete(header.jobId);
        reject(new DeadlineExceededError(deadlineMs));
      }, deadlineMs);
      this.pending.set(header.jobId, { frame, resolve, reject, timer });
      this.client.publish(topics.submit, frame, { qos: 0 }, (err) => {
        if (err) this.settle(header.jobId)?.reject(new QueueUnavailableError('no_broker', this.retryAfterS));
      });
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

  /**
   * Feeds a reply frame, whichever way it came: our MQTT reply topic, or a worker's PUT on
   * the blob port. Throws FrameError for an unreadable frame.
   */
  onReplyFrame(frame: Buffer): void {
    const { header, body } = decodeFrame<ReplyHeader>(frame);
    this.onReply(header, body);
  }

  /**
   * A reply a worker handed us directly (the claim check's PUT): settled like any other,
   * then acked to the broker by us, since the worker does not ack a reply we took. False
   * when no request waits for it (duplicate, late, old epoch): then the worker acks.
   */
  onDirectReplyFrame(frame: Buffer): boolean {
    const { header, body } = decodeFrame<ReplyHeader>(frame);
    if (!this.onReply(header, body)) return false;
    this.acks.push({ jobId: header.jobId, epoch: header.epoch });
    this.ackTimer ??= setTimeout(() => this.sendAcks(), this.ackDelayMs);
    return true;
  }

  /** Settles the job the reply is for; false when it is not believed or nobody waits. */
  onReply(header: ReplyHeader, body: Buffer): boolean {
    if (header.epoch < this.epoch) {
      this.replies.inc({ outcome: 'stale_epoch' });
      this.log.warn({ jobId: header.jobId, epoch: header.epoch, current: this.epoch }, 'reply from an old epoch dropped');
      return false;
    }
    this.epoch = header.epoch;
    const p = this.settle(header.jobId);
    if (!p) {
      this.replies.inc({ outcome: 'unknown_job' });
      return false;
    }
    this.replies.inc({ outcome: 'matched' });
    if (header.type === 'rejected') p.reject(new QueueUnavailableError(header.reason, header.retryAfterS));
    else p.resolve({ header, body });
    return true;
  }

  /** Fails every pending job and sends the acks still held (shutdown). */
  failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
    this.sendAcks();
  }

  private takeAcks(): ApiAck[] {
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
    this.acksSent.inc({ via: 'alone' }, this.acks.length);
    const msg: ApiAckMessage = { acks: this.takeAcks() };
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
