/**
 * Measurements a scenario asks for beyond the load history.
 *
 * - The failover probe sends a light, steady stream of its own requests and records which
 *   broker epoch served each (the X-Nines-Epoch header), so failover time is measured from
 *   the fault to the first request the new leader served.
 * - Capacity reads a ramp's history: the highest throughput of a second in which the
 *   latency and error SLAs still held, and the fleet that gives 10,000 resizes/s.
 */
import { addEncoded, percentilesMs } from '../load/histogram.ts';
import type { History } from '../load/history.ts';

export interface ProbeSample {
  sentAt: number;
  doneAt: number;
  /** 0: no response (network error or our timeout). */
  status: number;
  epoch?: number;
  /** The error's name when there was no response, e.g. 'TimeoutError'. */
  error?: string;
}

export class FailoverProbe {
  readonly samples: ProbeSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly o: {
      url: string;
      apiKey: string;
      body: Buffer;
      query: string;
      ratePerSec: number;
      timeoutMs: number;
      /** Stops sending after this long even if nobody calls stop() (default 300 s). */
      maxSeconds?: number;
    },
  ) {}

  /** Starts sending; returns the probe so it can be made and started in one expression. */
  start(): this {
    const until = Date.now() + (this.o.maxSeconds ?? 300) * 1000;
    this.timer = setInterval(() => {
      if (Date.now() > until) return void clearInterval(this.timer);
      const p = this.one();
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }, 1000 / this.o.ratePerSec);
    return this;
  }

  async stop(): Promise<ProbeSample[]> {
    clearInterval(this.timer);
    await Promise.all(this.inflight);
    return this.samples;
  }

  /**
   * Seconds from `faultAt` (ms) to the first success served under an epoch above
   * `oldEpoch`, or undefined when no new leader served anything.
   */
  failoverSeconds(faultAt: number, oldEpoch: number): number | undefined {
    const first = this.samples.filter((s) => s.status === 200 && (s.epoch ?? -1) > oldEpoch && s.doneAt >= faultAt).sort((a, b) => a.doneAt - b.doneAt)[0];
    return first ? (first.doneAt - faultAt) / 1000 : undefined;
  }

  /** Requests that never got an answer (no response within the timeout): lost or hung. */
  get unanswered(): number {
    return this.samples.filter((s) => s.status === 0).length;
  }

  private async one(): Promise<void> {
    const sentAt = Date.now();
    try {
      const r = await fetch(`${this.o.url}/v1/resize?${this.o.query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.o.apiKey}`, 'content-type': 'application/octet-stream' },
        body: this.o.body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await r.arrayBuffer();
      const epoch = r.headers.get('x-nines-epoch');
      this.samples.push({ sentAt, doneAt: Date.now(), status: r.status, ...(epoch ? { epoch: Number(epoch) } : {}) });
    } catch (err) {
      this.samples.push({ sentAt, doneAt: Date.now(), status: 0, error: (err as Error).name });
    }
  }
}

export interface CapacityFigures {
  /** Highest ok/s of a second whose p99 and error rate were within bounds. */
  sustainedRate: number;
  /** Offered rate of the first second that broke the bounds (the tip-over point). */
  tipOverOffered: number | null;
  cores: number;
  perCore: number;
  /** Machines like this one for `target` resizes/s with `headroom` spare. */
  fleet: { target: number; headroom: number; machines: number };
}

/** The capacity figures of a ramp, judged per second against `p99Ms` and `maxErrorRate`. */
export function capacity(h: History, o: { p99Ms: number; maxErrorRate: number; cores: number; target?: number; headroom?: number }): CapacityFigures {
  let sustained = 0;
  let tipOver: number | null = null;
  for (const s of h.seconds) {
    const failed = Object.values(s.failed).reduce((a, b) => a + b, 0);
    const done = s.ok + failed;
    if (done === 0) continue;
    const hist = s.latency.all ? addEncoded([s.latency.all]) : undefined;
    const p99 = (hist ? percentilesMs(hist).p99 : null) ?? Infinity;
    const good = p99 < o.p99Ms && (failed + s.dropped) / (done + s.dropped) <= o.maxErrorRate;
    if (good) sustained = Math.max(sustained, s.ok);
    else if (tipOver === null && sustained > 0) tipOver = s.sent;
  }
  const target = o.target ?? 10_000;
  const headroom = o.headroom ?? 0.2;
  const perMachine = Math.max(sustained, 1e-9);
  return {
    sustainedRate: sustained,
    tipOverOffered: tipOver,
    cores: o.cores,
    perCore: sustained / o.cores,
    fleet: { target, headroom, machines: Math.ceil((target * (1 + headroom)) / perMachine) },
  };
}
