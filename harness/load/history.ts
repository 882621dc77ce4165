/**
 * The history of a load run: what the load engine records and the SLA checker judges
 * (harness/sla). The engine never judges; the checker never measures. Jepsen-style, each
 * request is an operation whose outcome is `ok`, `fail` (a definite error response), or
 * `info` (outcome unknown: timeout, connection reset after sending); a request that could
 * not be sent on schedule is `dropped`, never silently skipped.
 *
 * Latencies are measured from each request's *intended* send time (wrk2), in
 * microseconds, into HDR histograms; histograms are stored encoded (hdr-histogram-js
 * `encodeIntoCompressedBase64`) so a history is plain JSON.
 */
export type Outcome = 'ok' | 'fail' | 'info' | 'dropped';

/** One second of the run (second `t` counts from the run's start, 0-based). */
export interface SecondBucket {
  t: number;
  /** Requests whose intended send time fell in this second. */
  sent: number;
  ok: number;
  /** Failed (`fail` and `info`) requests by kind, e.g. `http_503`, `timeout`, `econnreset`. */
  failed: Record<string, number>;
  dropped: number;
  /**
   * Latency of every request that was sent (ok, fail, and info at its timeout), µs, per
   * size class (e.g. 'lt1mb', 'all'). Timeouts are included on purpose: leaving them out
   * would make p99 look better the worse the target gets.
   */
  latency: Record<string, string>;
}

/** A request that did not succeed, kept individually for the report. */
export interface FailedRequest {
  /** Intended send time, ms from run start. */
  at: number;
  outcome: Exclude<Outcome, 'ok'>;
  kind: string;
  status?: number;
  latencyMs?: number;
}

/** A fault window from the scenario's timeline, as it actually happened (ms from start). */
export interface FaultWindow {
  name: string;
  startMs: number;
  /** Undefined when the fault was still active at the end. */
  endMs?: number;
}

export interface History {
  scenario: string;
  seed: number;
  /** ISO time of second 0. */
  startedAt: string;
  /** Engine and profile settings (rate, duration, target, …), recorded for the report. */
  settings: Record<string, unknown>;
  seconds: SecondBucket[];
  failures: FailedRequest[];
  faults: FaultWindow[];
  /** Extra measurements by scenario-specific probes, e.g. failover seconds. */
  measurements?: Record<string, number>;
}
