/**
 * The job queue aedes lacks: FIFO and bounded, with credit-based dispatch. A worker grants
 * credit (jobs it will take); the queue sends jobs only against credit, and a job stays owned
 * by its worker until it is acked. A job whose worker disconnects, or that is not acked within
 * `jobTimeoutMs`, goes back to the head of the queue; after `maxAttempts` deliveries it is
 * failed instead (a poison image must not take every worker down in turn).
 *
 * Cheap per job on purpose (the broker's CPU per job bounds a shard's jobs/s): dispatch runs
 * once per turn of the event loop, so the jobs that arrived in one turn leave for a worker in
 * one frame; timeouts are found by one sweep over the in-flight jobs in dispatch order, not by
 * a timer per job; an ack is one map lookup.
 *
 * Pure domain logic: transport is injected, so the broker wires it to aedes.
 */
import { MAX_BATCH, type JobHeader } from '../lib/jobs.ts';
import { ArmedInterval } from '../lib/armed-interval.ts';

export interface QueuedJob {
  header: JobHeader;
  /** The image, a view into the frame it arrived in; empty for a claim-checked job. */
  body: Buffer;
  /** The job travelled alone in that frame, so the frame may be reused for its dispatch. */
  frame?: Buffer;
  attempt: number;
  enqueuedAt: number;
}

export type RefuseReason = 'queue_full' | 'no_workers' | 'too_many_attempts';

export interface QueueTransport {
  /** Delivers jobs to a worker, in one message. */
  send(workerId: string, jobs: QueuedJob[]): void;
  /** Tells the job's api server it was refused or failed. */
  refuse(job: QueuedJob, reason: RefuseReason): void;
}

export interface QueueEvents {
  onDispatch?(job: QueuedJob, workerId: string, waitedMs: number): void;
  onExpired?(job: QueuedJob): void;
  onRedeliver?(job: QueuedJob, why: 'worker_lost' | 'timeout'): void;
}

export interface QueueOptions {
  maxLength: number;
  jobTimeoutMs: number;
  maxAttempts: number;
  /**
   * How long jobs are still queued while no worker is connected: workers reconnect within
   * a second or two of a broker failover or restart, and refusing in that window would
   * turn a routine failover into errors. After it, no workers means a prompt 503.
   */
  workerGraceMs?: number;
  now?: () => number;
  /** Runs the dispatch pass later in this turn (default setImmediate; tests pass `(f) => f()`). */
  defer?: (pass: () => void) => void;
}

/** Who may ack a job: the worker holding it, or the api server waiting for it. */
export interface Acker {
  role: 'api' | 'worker' | 'usage';
  id: string;
}

/** A worker's free credit; what it holds is in `inFlight` (by workerId). */
interface WorkerSlot {
  credit: number;
}

interface InFlight {
  job: QueuedJob;
  workerId: string;
  dispatchedAt: number;
}

export class JobQueue {
  // A deque as an array plus head index: O(1) shift without Array#shift's copying.
  private items: Array<QueuedJob | undefined> = [];
  private head = 0;
  private readonly workers = new Map<string, WorkerSlot>();
  /** Every dispatched, unacked job; a Map keeps insertion order, which is dispatch order. */
  private readonly inFlight = new Map<string, InFlight>();
  private readonly now: () => number;
  private readonly defer: (pass: () => void) => void;
  private passDue = false;
  /** When the queue last had no worker (start, or the last worker leaving). */
  private noWorkersSince: number;
  /** The timeout sweep, armed only while jobs are in flight. */
  private readonly sweeper: ArmedInterval;

  constructor(
    private readonly opts: QueueOptions,
    private readonly transport: QueueTransport,
    private readonly events: QueueEvents = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.defer = opts.defer ?? setImmediate;
    this.noWorkersSince = this.now();
    // A tenth of the timeout: a job is redelivered at most 10 % late, for one timer in all.
    this.sweeper = new ArmedInterval(() => this.sweep(), Math.max(10, Math.floor(opts.jobTimeoutMs / 10)));
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get inflight(): number {
    return this.inFlight.size;
  }

  get workerCount(): number {
    return this.workers.size;
  }

  /** Accepts a job, or refuses it at once (full queue, no worker at all): never blocks. */
  submit(header: JobHeader, body: Buffer, frame?: Buffer): void {
    const job: QueuedJob = { header, body, frame, attempt: 0, enqueuedAt: this.now() };
    if (this.workers.size === 0 && this.now() - this.noWorkersSince >= (this.opts.workerGraceMs ?? 0)) {
      return this.transport.refuse(job, 'no_workers');
    }
    if (this.length >= this.opts.maxLength) return this.transport.refuse(job, 'queue_full');
    this.items.push(job);
    this.schedule();
  }

  /**
   * A worker grants credit. `reset`: it holds nothing from us (a new connection), so what we
   * thought it held goes back to the queue, and `grant` is its whole credit.
   */
  credit(workerId: string, grant: number, reset = false): void {
    let slot = this.workers.get(workerId);
    if (slot && reset) this.takeBack(workerId);
    if (!slot) this.workers.set(workerId, (slot = { credit: 0 }));
    slot.credit = reset ? grant : slot.credit + grant;
    this.schedule();
  }

  /** The job's api server has its reply: forget the job. False when `by` may not ack it or it is not held. */
  ack(by: Acker, jobId: string): boolean {
    const e = this.inFlight.get(jobId);
    if (!e) return false;
    const allowed = by.role === 'worker' ? e.workerId === by.id : by.role === 'api' && e.job.header.replyTo === by.id;
    if (!allowed) return false;
    this.inFlight.delete(jobId);
    return true;
  }

  /** The worker is gone: everything it held goes back to the head of the queue, in order. */
  workerLost(workerId: string): void {
    if (!this.workers.has(workerId)) return;
    this.takeBack(workerId);
    this.workers.delete(workerId);
    if (this.workers.size === 0) this.noWorkersSince = this.now();
    this.schedule();
  }

  /** Queued and in-flight jobs are dropped (their api servers time out or resubmit). */
  close(): void {
    this.workers.clear();
    this.inFlight.clear();
    this.items = [];
    this.head = 0;
    this.noWorkersSince = this.now();
  }

  /** Stops the timeout sweep for good (the broker is shutting down). */
  stop(): void {
    this.sweeper.close();
    this.close();
  }

  /** Redelivers every job that has waited `jobTimeoutMs` for its ack; the oldest come first. */
  sweep(): void {
    if (this.inFlight.size === 0) return this.sweeper.disarm();
    const due = this.now() - this.opts.jobTimeoutMs;
    const expired: InFlight[] = [];
    for (const e of this.inFlight.values()) {
      if (e.dispatchedAt > due) break;
      expired.push(e);
    }
    if (expired.length === 0) return;
    // The worker keeps working on it, so its credit stays used until it grants more.
    this.redeliver(expired, 'timeout');
    this.schedule();
  }

  private takeBack(workerId: string): void {
    this.redeliver(
      [...this.inFlight.values()].filter((e) => e.workerId === workerId),
      'worker_lost',
    );
  }

  /** Takes the jobs out of flight and puts them back at the head of the queue, in their order. */
  private redeliver(entries: InFlight[], why: 'worker_lost' | 'timeout'): void {
    for (const e of entries) this.inFlight.delete(e.job.header.jobId);
    for (let i = entries.length - 1; i >= 0; i--) this.requeue(entries[i]!.job, why);
  }

  private requeue(job: QueuedJob, why: 'worker_lost' | 'timeout'): void {
    this.events.onRedeliver?.(job, why);
    if (job.attempt >= this.opts.maxAttempts) return this.transport.refuse(job, 'too_many_attempts');
    // Redelivered work goes first: it is the oldest and its caller has waited longest.
    if (this.head > 0) this.items[--this.head] = job;
    else this.items.unshift(job);
  }

  private shift(): QueuedJob | undefined {
    if (this.head >= this.items.length) return undefined;
    const job = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return job;
  }

  private schedule(): void {
    if (this.passDue) return;
    this.passDue = true;
    this.defer(() => {
      this.passDue = false;
      this.dispatch();
    });
  }

  /** The worker with the most free credit, or undefined when none has any. */
  private freeWorker(): [string, WorkerSlot] | undefined {
    let best: [string, WorkerSlot] | undefined;
    for (const entry of this.workers) if (entry[1].credit > (best?.[1].credit ?? 0)) best = entry;
    return best;
  }

  /** Hands queued jobs to workers against their credit, as many per message as the credit allows. */
  private dispatch(): void {
    while (this.length > 0) {
      const target = this.freeWorker();
      if (!target) return;
      const [workerId, slot] = target;
      const batch = this.take(Math.min(slot.credit, MAX_BATCH));
      if (batch.length === 0) return;
      const now = this.now();
      slot.credit -= batch.length;
      for (const job of batch) {
        job.attempt += 1;
        this.inFlight.set(job.header.jobId, { job, workerId, dispatchedAt: now });
        this.events.onDispatch?.(job, workerId, now - job.enqueuedAt);
      }
      this.transport.send(workerId, batch);
      this.sweeper.arm();
    }
  }

  /** Up to `n` jobs from the head, skipping those whose callers stopped waiting. */
  private take(n: number): QueuedJob[] {
    const now = this.now();
    const out: QueuedJob[] = [];
    while (out.length < n) {
      const job = this.shift();
      if (!job) break;
      if (job.header.deadline <= now) this.events.onExpired?.(job);
      else out.push(job);
    }
    return out;
  }
}
