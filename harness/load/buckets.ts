/**
 * Per-second accounting for one schedule slice. Every request is counted in the second of
 * its *intended* send time, whenever its outcome arrives. A second is handed over (its
 * histograms encoded and returned to a pool) once the scheduler has passed it and none of
 * its requests is still in flight, so memory stays bounded by the timeout, not the run.
 */
import type { FailedRequest, Outcome, SecondBucket } from './history.ts';
import { encode, newHistogram, recordUs, type Histogram } from './histogram.ts';

/** Running totals of a slice, for progress lines. */
export interface Counters {
  scheduled: number;
  sent: number;
  ok: number;
  failed: number;
  dropped: number;
  inFlight: number;
}

/** Mutable state of one second; the slice holds a reference per in-flight request. */
export interface Bucket {
  t: number;
  sent: number;
  ok: number;
  dropped: number;
  outstanding: number;
  failed: Record<string, number>;
  all: Histogram | null;
  classes: Map<string, Histogram> | null;
}

let emptyEncoded: string | undefined;
const empty = (): string => (emptyEncoded ??= encode(newHistogram()));

export class BucketRecorder {
  readonly counters: Counters = { scheduled: 0, sent: 0, ok: 0, failed: 0, dropped: 0, inFlight: 0 };
  readonly failures: FailedRequest[] = [];
  failuresOmitted = 0;
  readonly #buckets: (Bucket | undefined | null)[] = [];
  readonly #pool: Histogram[] = [];
  readonly #seconds: number;
  readonly #failuresLimit: number;
  readonly #emit: (b: SecondBucket) => void;
  #closedBefore = 0;
  #emitted = 0;

  /** `seconds` buckets [0, seconds) are emitted, each exactly once, through `emit`. */
  constructor(seconds: number, failuresLimit: number, emit: (b: SecondBucket) => void) {
    this.#seconds = seconds;
    this.#failuresLimit = failuresLimit;
    this.#emit = emit;
  }

  /** The bucket of an intended send time (ms from start). */
  bucketAt(intendedMs: number): Bucket {
    const t = Math.min(Math.floor(intendedMs / 1000), this.#seconds - 1);
    let b = this.#buckets[t];
    if (!b) this.#buckets[t] = b = { t, sent: 0, ok: 0, dropped: 0, outstanding: 0, failed: {}, all: null, classes: null };
    return b;
  }

  /** A request went out: it stays outstanding in its bucket until `settle*`. */
  sent(b: Bucket): void {
    b.sent++;
    b.outstanding++;
    this.counters.scheduled++;
    this.counters.sent++;
    this.counters.inFlight++;
  }

  /** A request that could not be sent on time. */
  dropped(b: Bucket, intendedMs: number): void {
    b.dropped++;
    this.counters.scheduled++;
    this.counters.dropped++;
    this.#keep(intendedMs, 'dropped', 'dropped');
  }

  /** A response counted as ok. */
  settleOk(b: Bucket, latencyUs: number, sizeClass: string | undefined): void {
    b.ok++;
    this.counters.ok++;
    this.#record(b, latencyUs, sizeClass);
    this.#settled(b);
  }

  /**
   * A failed or unknown outcome. Its latency (time to the error, or to the deadline) is
   * recorded too: leaving timeouts out would make the tail look better the worse the
   * target gets, which is the coordinated omission this engine exists to avoid.
   */
  settleFailed(b: Bucket, kind: string, outcome: Exclude<Outcome, 'ok' | 'dropped'>, intendedMs: number, latencyUs: number, sizeClass: string | undefined, status?: number): void {
    b.failed[kind] = (b.failed[kind] ?? 0) + 1;
    this.counters.failed++;
    this.#record(b, latencyUs, sizeClass);
    this.#keep(intendedMs, outcome, kind, status, latencyUs);
    this.#settled(b);
  }

  /** The scheduler has passed `second`: every bucket before it gets no more sends. */
  closeBefore(second: number): void {
    const upTo = Math.min(second, this.#seconds);
    for (let t = this.#closedBefore; t < upTo; t++) {
      const b = this.#buckets[t];
      if (!b || b.outstanding === 0) this.#finalize(t);
    }
    if (upTo > this.#closedBefore) this.#closedBefore = upTo;
  }

  /** Every second not yet emitted is emitted now (end of run, after the grace period). */
  flush(): void {
    this.closeBefore(this.#seconds);
    for (let t = 0; t < this.#seconds; t++) if (this.#buckets[t] !== null) this.#finalize(t);
  }

  /** How many seconds were emitted so far. */
  get emitted(): number {
    return this.#emitted;
  }

  /**
   * Records a latency in one more class only (not in 'all'): the outcome classes of
   * refusal.ts, which cut across the size classes.
   */
  recordClass(b: Bucket, latencyUs: number, cls: string): void {
    this.#recordIn(b, latencyUs, cls);
  }

  #record(b: Bucket, us: number, sizeClass: string | undefined): void {
    recordUs((b.all ??= this.#take()), us);
    this.#recordIn(b, us, sizeClass);
  }

  #recordIn(b: Bucket, us: number, sizeClass: string | undefined): void {
    if (sizeClass !== undefined && sizeClass !== 'all') {
      const classes = (b.classes ??= new Map());
      let h = classes.get(sizeClass);
      if (!h) classes.set(sizeClass, (h = this.#take()));
      recordUs(h, us);
    }
  }

  #settled(b: Bucket): void {
    this.counters.inFlight--;
    if (--b.outstanding === 0 && b.t < this.#closedBefore) this.#finalize(b.t);
  }

  #keep(intendedMs: number, outcome: Exclude<Outcome, 'ok'>, kind: string, status?: number, latencyUs?: number): void {
    if (this.failures.length >= this.#failuresLimit) {
      this.failuresOmitted++;
      return;
    }
    const f: FailedRequest = { at: Math.round(intendedMs * 1000) / 1000, outcome, kind };
    if (status !== undefined) f.status = status;
    if (latencyUs !== undefined) f.latencyMs = Math.round(latencyUs) / 1000;
    this.failures.push(f);
  }

  #take(): Histogram {
    return this.#pool.pop() ?? newHistogram();
  }

  #release(h: Histogram): void {
    h.reset();
    this.#pool.push(h);
  }

  // A finalized slot holds null so a late settle (impossible by construction, but cheap to
  // guard) or a second flush cannot emit a second twice.
  #finalize(t: number): void {
    const b = this.#buckets[t];
    if (b === null) return;
    this.#buckets[t] = null;
    const latency: Record<string, string> = { all: b?.all ? encode(b.all) : empty() };
    if (b?.all) this.#release(b.all);
    if (b?.classes)
      for (const [cls, h] of b.classes) {
        latency[cls] = encode(h);
        this.#release(h);
      }
    this.#emitted++;
    this.#emit({ t, sent: b?.sent ?? 0, ok: b?.ok ?? 0, failed: b?.failed ?? {}, dropped: b?.dropped ?? 0, latency });
  }
}
