/**
 * One schedule slice on one undici pool, in whichever thread runs it: arrivals
 * k ≡ index (mod count) of the profile, each sent at its intended time whatever the
 * target does (open model), its latency measured from that intended time (wrk2). A
 * request that cannot go out on time — `maxInFlight` reached, or the sender more than
 * `slackMs` behind — is counted as dropped.
 */
import { performance as nodePerformance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { BucketRecorder, type Bucket, type Counters } from './buckets.ts';
import { DeadlineError, errorKind, okStatusPredicate, outcomeOf } from './classify.ts';
import { ADMITTED, REFUSED, isRefusal, refusalHeadersOk } from './refusal.ts';
import { encode, newHistogram, recordUs } from './histogram.ts';
import type { FailedRequest, SecondBucket } from './history.ts';
import { Schedule, type ArrivalProfile } from './profile.ts';
import type { RequestFactory, RequestSpec } from './request.ts';

/** Everything a slice needs besides its request factory; structured-cloneable. */
export interface SliceOptions {
  origin: string;
  profile: ArrivalProfile;
  /** This slice sends arrivals k with k % count === index. */
  index: number;
  count: number;
  connections: number;
  pipelining: number;
  maxInFlight: number;
  slackMs: number;
  timeoutMs: number;
  graceMs: number;
  failuresLimit: number;
  okStatuses?: number[];
  /** How the sender waits for the next intended time (see LoadOptions.scheduler). */
  scheduler: 'timer' | 'spin';
}

export interface SliceResult {
  counters: Counters;
  failures: FailedRequest[];
  failuresOmitted: number;
  /** How late requests actually went out against their intended time, µs histogram. */
  sendLag: string;
  /** Event-loop utilisation of the thread: over the whole run, and its busiest second. */
  elu: { mean: number; max: number };
  /** Requests still in flight when the grace period ended (counted as timeouts). */
  abandoned: number;
  /** 429/503 answers without problem+json or Retry-After (refusal.ts). */
  bareRefusals: number;
  /** Failed requests per tenant group (RequestSpec.group); 0 for a group that sent and never failed. */
  groupFailures: Record<string, number>;
  /** Set when the run was stopped before the profile's end, ms from start. */
  stoppedAtMs?: number;
}

export interface SliceEvents {
  /** A finished second (every second of the profile, exactly once, in any order). */
  bucket(b: SecondBucket): void;
  /** Running totals, four times per second of the run. */
  progress(c: Counters, elapsedMs: number): void;
}

// Legacy undici handler methods (onConnect/onHeaders/onData/onComplete/onError): the pool
// calls them directly, whereas the newer onRequestStart/onResponse* API makes undici wrap
// every request in an adapter and parse its headers into an object — churn we don't need.
class InFlight implements Dispatcher.DispatchHandler {
  status = 0;
  /** A 429/503 without problem+json or Retry-After: a refusal a client cannot act on. */
  bareRefusal = false;
  settled = false;
  abort: ((err?: Error) => void) | null = null;
  constructor(
    readonly slice: SliceRun,
    readonly bucket: Bucket,
    readonly intended: number,
    readonly deadline: number,
    readonly sizeClass: string | undefined,
    readonly group: string | undefined,
  ) {}
  onConnect(abort: (err?: Error) => void): void {
    // A request that timed out while queued in the pool is aborted as soon as undici
    // gets to it, so it never occupies a connection.
    if (this.settled) abort(deadlineError);
    else this.abort = abort;
  }
  onHeaders(statusCode: number, headers: Buffer[] | string[] | null): boolean {
    this.status = statusCode;
    if (isRefusal(statusCode)) this.bareRefusal = !refusalHeadersOk(headers);
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    this.slice.complete(this);
  }
  onError(err: Error): void {
    this.slice.fail(this, err);
  }
}

const deadlineError = new DeadlineError();

interface DispatchOpts {
  method: Dispatcher.HttpMethod;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  blocking: boolean;
}

class SliceRun {
  readonly rec: BucketRecorder;
  readonly #o: SliceOptions;
  readonly #factory: RequestFactory;
  readonly #events: SliceEvents;
  readonly #t0: number;
  readonly #schedule: Schedule;
  readonly #pool: Pool;
  readonly #isOk: (status: number) => boolean;
  readonly #lag = newHistogram();
  readonly #spin: boolean;
  // In-flight requests in send order, which is intended-time order, hence deadline order:
  // expiring timeouts only ever looks at the head.
  #queue: InFlight[] = [];
  #head = 0;
  #k: number;
  #next: number;
  #lastQuarter = -1;
  #lastSpec: RequestSpec | null = null;
  #lastOpts: DispatchOpts | null = null;
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #drain: NodeJS.Timeout | null = null;
  #stoppedAtMs: number | undefined;
  #failed = false;
  readonly #eluStart = nodePerformance.eventLoopUtilization();
  #eluMark = this.#eluStart;
  #eluMax = 0;
  #abandoned = 0;
  #bareRefusals = 0;
  readonly #groupFailures: Record<string, number> = {};
  #resolve!: (r: SliceResult) => void;
  #reject!: (err: Error) => void;
  readonly done: Promise<SliceResult>;

  constructor(o: SliceOptions, factory: RequestFactory, t0: number, events: SliceEvents) {
    this.#o = o;
    this.#factory = factory;
    this.#events = events;
    this.#t0 = t0;
    this.#schedule = new Schedule(o.profile);
    this.#isOk = okStatusPredicate(o.okStatuses);
    this.#spin = o.scheduler === 'spin';
    this.rec = new BucketRecorder(Math.max(1, Math.ceil(this.#schedule.durationMs / 1000)), o.failuresLimit, events.bucket);
    // Engine-side deadlines decide timeouts; undici's own timers are a backstop only.
    const backstop = o.timeoutMs + 1000;
    this.#pool = new Pool(o.origin, { connections: o.connections, pipelining: o.pipelining, headersTimeout: backstop, bodyTimeout: backstop, connectTimeout: Math.min(o.timeoutMs, 10_000), keepAliveTimeout: 30_000 });
    this.#k = o.index;
    this.#next = this.#schedule.at(this.#k);
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const wait = t0 - performance.now();
    this.#timer = setTimeout(this.#tick, Math.max(0, wait - 1));
  }

  /** Ends the schedule now; in-flight requests still get the grace period. */
  stop(): void {
    if (this.#next === Infinity || this.#failed) return;
    this.#stoppedAtMs = performance.now() - this.#t0;
    this.#next = Infinity;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
    this.#startDrain();
  }

  #tick = (): void => {
    if (this.#failed) return;
    this.#timer = null;
    this.#immediate = null;
    const t0 = this.#t0;
    const stride = this.#o.count;
    let now = performance.now() - t0;
    while (this.#next <= now) {
      const intended = this.#next;
      const b = this.rec.bucketAt(intended);
      if (now - intended > this.#o.slackMs || this.rec.counters.inFlight >= this.#o.maxInFlight) this.rec.dropped(b, intended);
      else if (!this.#send(b, intended, now)) return;
      this.#k += stride;
      this.#next = this.#schedule.at(this.#k);
      // Sends take time; re-reading the clock keeps the lateness check honest in a burst.
      now = performance.now() - t0;
    }
    this.#housekeeping(now);
    if (this.#next === Infinity) return this.#startDrain();
    const wait = this.#next - now;
    // Timers have 1 ms granularity and fire late, so 'timer' sends in ~1 ms batches (at
    // 10,000 req/s, ~10 per tick) and each request's lateness is measured and counted in
    // its latency. 'spin' wakes a little early and finishes the wait on setImmediate —
    // sub-ms precision, still processing I/O every turn, but it keeps a core busy: on a
    // 2-core machine shared with the target that core is taken from the target.
    if (this.#spin && wait <= 2) this.#immediate = setImmediate(this.#tick);
    else this.#timer = setTimeout(this.#tick, Math.min(this.#spin ? wait - 1.5 : Math.max(wait, 1), 50));
  };

  /** Sends arrival k; false when the request factory threw and the run has failed. */
  #send(b: Bucket, intended: number, now: number): boolean {
    let spec: RequestSpec;
    try {
      spec = this.#factory(this.#k);
    } catch (err) {
      // A broken request factory is a bug in the caller, not a target failure: end the
      // run and reject, rather than record thousands of identical non-requests.
      this.#fail(new Error(`request factory threw for seq ${this.#k}: ${(err as Error)?.message ?? err}`, { cause: err }));
      return false;
    }
    let opts = this.#lastOpts;
    if (spec !== this.#lastSpec || !opts) {
      // undici's `blocking` defaults to true, which stops pipelining behind every request
      // until its headers arrive; with pipelining asked for, let it pipeline.
      opts = { method: spec.method, path: spec.path, headers: spec.headers, body: spec.body, blocking: this.#o.pipelining <= 1 };
      this.#lastSpec = spec;
      this.#lastOpts = opts;
    }
    const r = new InFlight(this, b, intended, intended + this.#o.timeoutMs, spec.sizeClass, spec.group);
    this.rec.sent(b);
    recordUs(this.#lag, (now - intended) * 1000);
    this.#queue.push(r);
    this.#pool.dispatch(opts, r);
    return true;
  }

  complete(r: InFlight): void {
    if (r.settled) return;
    r.settled = true;
    const us = (performance.now() - this.#t0 - r.intended) * 1000;
    this.rec.recordClass(r.bucket, us, isRefusal(r.status) ? REFUSED : ADMITTED);
    if (r.bareRefusal) this.#bareRefusals++;
    const ok = this.#isOk(r.status);
    this.#byGroup(r, us, ok);
    if (ok) this.rec.settleOk(r.bucket, us, r.sizeClass);
    else this.rec.settleFailed(r.bucket, `http_${r.status}`, 'fail', r.intended, us, r.sizeClass, r.status);
  }

  /** A tenant group's latency class and failure count (RequestSpec.group). */
  #byGroup(r: InFlight, us: number, ok: boolean): void {
    if (r.group === undefined) return;
    this.rec.recordClass(r.bucket, us, r.group);
    this.#groupFailures[r.group] = (this.#groupFailures[r.group] ?? 0) + (ok ? 0 : 1);
  }

  fail(r: InFlight, err: unknown): void {
    if (r.settled) return;
    r.settled = true;
    const kind = errorKind(err);
    const us = (performance.now() - this.#t0 - r.intended) * 1000;
    this.rec.recordClass(r.bucket, us, ADMITTED);
    this.#byGroup(r, us, false);
    this.rec.settleFailed(r.bucket, kind, outcomeOf(kind), r.intended, us, r.sizeClass);
  }

  /** Times out requests past their deadline; reports progress four times a second. */
  #housekeeping(now: number): void {
    const q = this.#queue;
    let h = this.#head;
    while (h < q.length) {
      const r = q[h]!;
      if (!r.settled) {
        if (r.deadline > now) break;
        this.fail(r, deadlineError);
        r.abort?.(deadlineError);
      }
      h++;
    }
    if (h > 4096 && h * 2 > q.length) {
      this.#queue = q.slice(h);
      h = 0;
    }
    this.#head = h;
    this.rec.closeBefore(this.#next === Infinity ? Infinity : Math.floor(this.#next / 1000));
    // Four times a second, so the once-a-second progress line is at most 250 ms stale.
    const quarter = Math.floor(now / 250);
    if (quarter !== this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.#events.progress({ ...this.rec.counters }, now);
      if (quarter % 4 === 0) this.#sampleElu();
    }
  }

  // Event-loop utilisation per second of this thread. Send lag only shows a sender that is
  // late; a loop that is busy but on time still reads responses late, which inflates the
  // measured latency. A second near 1.0 means the engine, not the target, may be the limit.
  #sampleElu(): void {
    const now = nodePerformance.eventLoopUtilization();
    const d = nodePerformance.eventLoopUtilization(now, this.#eluMark);
    if (d.idle + d.active > 500) this.#eluMax = Math.max(this.#eluMax, d.utilization);
    this.#eluMark = now;
  }

  #startDrain(): void {
    if (this.#drain) return;
    const endMs = (this.#stoppedAtMs ?? this.#schedule.durationMs) + this.#o.graceMs;
    const check = (): void => {
      const now = performance.now() - this.#t0;
      this.#housekeeping(now);
      if (this.rec.counters.inFlight > 0 && now < endMs) return;
      clearInterval(this.#drain!);
      void this.#finish(now);
    };
    this.#drain = setInterval(check, 20);
    check();
  }

  #fail(err: Error): void {
    this.#failed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    if (this.#drain) clearInterval(this.#drain);
    this.#pool.destroy().catch(() => {});
    this.#reject(err);
  }

  async #finish(now: number): Promise<void> {
    // Whatever is still in flight after the grace period has an unknown outcome.
    for (let h = this.#head; h < this.#queue.length; h++) {
      const r = this.#queue[h]!;
      if (r.settled) continue;
      this.#abandoned++;
      r.settled = true;
      this.rec.recordClass(r.bucket, (now - r.intended) * 1000, ADMITTED);
      this.#byGroup(r, (now - r.intended) * 1000, false);
      this.rec.settleFailed(r.bucket, 'timeout', 'info', r.intended, (now - r.intended) * 1000, r.sizeClass);
      r.abort?.(deadlineError);
    }
    this.#queue = [];
    this.#head = 0;
    this.rec.flush();
    this.#events.progress({ ...this.rec.counters }, now);
    await this.#pool.destroy().catch(() => {});
    this.#sampleElu();
    const elu = { mean: nodePerformance.eventLoopUtilization(this.#eluStart).utilization, max: this.#eluMax };
    const result: SliceResult = { counters: { ...this.rec.counters }, failures: this.rec.failures, failuresOmitted: this.rec.failuresOmitted, sendLag: encode(this.#lag), abandoned: this.#abandoned, bareRefusals: this.#bareRefusals, groupFailures: this.#groupFailures, elu };
    if (this.#stoppedAtMs !== undefined) result.stoppedAtMs = this.#stoppedAtMs;
    this.#resolve(result);
  }
}

/** A running slice: `done` resolves after the profile's end plus at most the grace period. */
export interface RunningSlice {
  done: Promise<SliceResult>;
  stop(): void;
}

/**
 * Starts a slice whose second 0 begins at `t0` on this thread's `performance.now()` clock
 * (which may be in the future: threads are started first, then all begin together).
 */
export function startSlice(o: SliceOptions, factory: RequestFactory, t0: number, events: SliceEvents): RunningSlice {
  const run = new SliceRun(o, factory, t0, events);
  return { done: run.done, stop: () => run.stop() };
}
