/**
 * The job queue aedes lacks: FIFO and bounded, with credit-based dispatch. A worker
 * announces how many jobs it can hold (its credit); the queue sends a job only to a worker
 * with free credit, and a job stays owned by that worker until it is acked. A job whose
 * worker disconnects, or that is not acked within `jobTimeoutMs`, goes back to the head
 * of the queue; after `maxAttempts` deliveries it is failed instead (a poison image must
 * not take every worker down in turn).
 *
 * Pure domain logic: transport is injected, so the broker wires it to aedes.
 */
import type { JobHeader } from '../lib/jobs.ts';

export interface QueuedJob {
  header: JobHeader;
  /** The whole wire frame as the api server sent it (header region + image). */
  frame: Buffer;
  attempt: number;
  enqueuedAt: number;
}

export interface QueueTransport {
  /** Deliver a job to a worker. */
  send(workerId: string, job: QueuedJob): void;
  /** Tell the job's api server it was refused or failed. */
  refuse(job: QueuedJob, reason: 'queue_full' | 'no_workers' | 'too_many_attempts'): void;
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
}

interface WorkerSlot {
  capacity: number;
  inflight: Map<string, { job: QueuedJob; timer: NodeJS.Timeout }>;
}

export class JobQueue {
  // A deque as an array plus head index: O(1) shift without Array#shift's copying.
  private items: Array<QueuedJob | undefined> = [];
  private head = 0;
  private readonly workers = new Map<string, WorkerSlot>();
  private readonly now: () => number;
  /** When the queue last had no worker (start, or the last worker leaving). */
  private noWorkersSince: number;

  constructor(
    private readonly opts: QueueOptions,
    private readonly transport: QueueTransport,
    private readonly events: QueueEvents = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.noWorkersSince = this.now();
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get inflight(): number {
    let n = 0;
    for (const w of this.workers.values()) n += w.inflight.size;
    return n;
  }

  get workerCount(): number {
    return this.workers.size;
  }

  /** Accepts a job, or refuses it at once (full queue, no worker at all): never blocks. */
  submit(header: JobHeader, frame: Buffer): void {
    const job: QueuedJob = { header, frame, attempt: 0, enqueuedAt: this.now() };
    if (this.workers.size === 0 && this.now() - this.noWorkersSince >= (this.opts.workerGraceMs ?? 0)) {
      return this.transport.refuse(job, 'no_workers');
    }
    if (this.length >= this.opts.maxLength) return this.transport.refuse(job, 'queue_full');
    this.items.push(job);
    this.pump();
  }

  /** A worker (re)announces its credit. A reconnected worker starts with nothing in flight. */
  workerReady(workerId: string, capacity: number): void {
    const slot = this.workers.get(workerId);
    if (slot) slot.capacity = capacity;
    else this.workers.set(workerId, { capacity, inflight: new Map() });
    this.pump();
  }

  /** The worker finished the job (answered the api); its credit is free again. */
  ack(workerId: string, jobId: string): boolean {
    const slot = this.workers.get(workerId);
    const entry = slot?.inflight.get(jobId);
    if (!slot || !entry) return false;
    clearTimeout(entry.timer);
    slot.inflight.delete(jobId);
    this.pump();
    return true;
  }

  /**
   * The job's api server has its reply (it came straight from the worker): free the credit
   * of whichever worker holds it. Only the job's own api server can ack it this way.
   */
  ackByApi(apiId: string, jobId: string): boolean {
    for (const [workerId, slot] of this.workers) {
      const entry = slot.inflight.get(jobId);
      if (entry) return entry.job.header.replyTo === apiId && this.ack(workerId, jobId);
    }
    return false;
  }

  /** The worker is gone: everything it held goes back to the head of the queue, in order. */
  workerLost(workerId: string): void {
    const slot = this.workers.get(workerId);
    if (!slot) return;
    this.workers.delete(workerId);
    if (this.workers.size === 0) this.noWorkersSince = this.now();
    const jobs = [...slot.inflight.values()].map((e) => (clearTimeout(e.timer), e.job));
    for (let i = jobs.length - 1; i >= 0; i--) this.requeue(jobs[i]!, 'worker_lost');
    this.pump();
  }

  /** Stops timers; queued and in-flight jobs are dropped (their api servers time out or resubmit). */
  close(): void {
    for (const slot of this.workers.values()) for (const e of slot.inflight.values()) clearTimeout(e.timer);
    this.workers.clear();
    this.items = [];
    this.head = 0;
    this.noWorkersSince = this.now();
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

  private freeWorker(): [string, WorkerSlot] | undefined {
    let best: [string, WorkerSlot] | undefined;
    let bestFree = 0;
    for (const entry of this.workers) {
      const free = entry[1].capacity - entry[1].inflight.size;
      if (free > bestFree) {
        best = entry;
        bestFree = free;
      }
    }
    return best;
  }

  private pump(): void {
    while (this.length > 0) {
      const target = this.freeWorker();
      if (!target) return;
      const job = this.shift()!;
      const now = this.now();
      if (job.header.deadline <= now) {
        this.events.onExpired?.(job);
        continue;
      }
      const [workerId, slot] = target;
      job.attempt += 1;
      const timer = setTimeout(() => {
        if (slot.inflight.delete(job.header.jobId)) {
          this.requeue(job, 'timeout');
          this.pump();
        }
      }, this.opts.jobTimeoutMs);
      timer.unref();
      slot.inflight.set(job.header.jobId, { job, timer });
      this.events.onDispatch?.(job, workerId, now - job.enqueuedAt);
      this.transport.send(workerId, job);
    }
  }
}
