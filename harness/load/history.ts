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

/**
 * One operation of the nemesis (harness/faults/nemesis.ts), as it happened: Jepsen's
 * `:nemesis` ops. `t` is ms from second 0. A start that deposed a queue shard's leader
 * carries that shard and the epoch it had just before, so failover is measured from the
 * history alone.
 */
export interface NemesisOp {
  /** When it was invoked and when it completed, ms from second 0. */
  t: number;
  done: number;
  f: 'start' | 'heal';
  /** The fault step's name (its window's name). */
  fault: string;
  /** The fault's kind: kill, stop, pause, partition, toxic. */
  kind: string;
  /** false when the fault could not start or heal; `error` says why. */
  ok: boolean;
  error?: string;
  /** A start with no heal (a kill without restart window): its fault is over once it is done. */
  oneShot?: boolean;
  /** The queue shard whose leader this start deposes (declared by the fault kind). */
  deposes?: { shard: number; epochBefore: number };
}

/**
 * A request of the failover probe: ms from second 0 when sent and done, its status (0: no
 * answer within the timeout), and the queue shard and broker epoch that served it.
 */
export interface ProbeRequest {
  at: number;
  done: number;
  status: number;
  shard?: number;
  epoch?: number;
}

/** A dispatch frame a broker logged: which broker, shard and epoch, ms from second 0. */
export interface DispatchEvent {
  broker: string;
  shard: number;
  epoch: number;
  t: number;
}

/** The brokers' dispatch log (the fencing checker's input), or why it could not be read. */
export type DispatchLog = { events: DispatchEvent[] } | { error: string };

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
  /** Figures the engine recorded (e.g. stoppedAtMs); the judge adds what it derives (harness/sla/derive.ts). */
  measurements?: Record<string, number>;
  /** The scenario's SLAs as it stated them, so the history alone can be judged again (`nines verdict`). */
  slas?: unknown[];
  /** The machine the run was measured on (the capacity checker's cores). */
  machine?: { cores: number };
  /** What the nemesis did, in order. */
  ops?: NemesisOp[];
  /** The failover probe's requests, when the scenario asked for one. */
  probe?: ProbeRequest[];
  /** The brokers' dispatch log ('ha' topology). */
  dispatchLog?: DispatchLog;
}
