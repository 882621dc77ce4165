/**
 * The failover probe: a light, steady stream of its own requests beside a scenario's load,
 * recording which queue shard and broker epoch served each (the X-Nines-Shard and
 * X-Nines-Epoch headers), so failover is timed from the fault to the first request the new
 * leader of the shard that was hit served (epochs are ordered only within a shard). Its
 * requests go into the history (`requests(t0)`); the judging is harness/sla/failover.ts.
 */
import type { ProbeRequest } from './history.ts';

/**
 * ms from `faultAt` to the first success of `shard` under an epoch above `oldEpoch` done at
 * or after it; undefined if none. Pure (the failover checker's rule, harness/sla/failover.ts).
 */
export function firstServedByNewLeader(samples: readonly ProbeRequest[], faultAt: number, oldEpoch: number, shard = 0): number | undefined {
  let first: number | undefined;
  for (const s of samples) {
    if (s.status !== 200 || (s.shard ?? 0) !== shard || (s.epoch ?? -1) <= oldEpoch || s.done < faultAt) continue;
    if (first === undefined || s.done < first) first = s.done;
  }
  return first === undefined ? undefined : first - faultAt;
}

export interface ProbeSample {
  sentAt: number;
  doneAt: number;
  /** 0: no response (network error or our timeout). */
  status: number;
  epoch?: number;
  /** The queue shard that carried the job (absent: an api from before shards, which has only shard 0). */
  shard?: number;
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
   * Seconds from `faultAt` (ms) to the first success `shard` (default 0) served under an
   * epoch above `oldEpoch`, or undefined when no new leader of that shard served anything.
   */
  failoverSeconds(faultAt: number, oldEpoch: number, shard = 0): number | undefined {
    const ms = firstServedByNewLeader(this.requests(0), faultAt, oldEpoch, shard);
    return ms === undefined ? undefined : ms / 1000;
  }

  /** The samples as history records, times in ms from `t0` (epoch ms). */
  requests(t0: number): ProbeRequest[] {
    return this.samples.map((s) => ({
      at: s.sentAt - t0,
      done: s.doneAt - t0,
      status: s.status,
      ...(s.shard !== undefined ? { shard: s.shard } : {}),
      ...(s.epoch !== undefined ? { epoch: s.epoch } : {}),
    }));
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
      const [epoch, shard] = [headerInt(r, 'x-nines-epoch'), headerInt(r, 'x-nines-shard')];
      this.samples.push({ sentAt, doneAt: Date.now(), status: r.status, ...(epoch !== undefined ? { epoch } : {}), ...(shard !== undefined ? { shard } : {}) });
    } catch (err) {
      this.samples.push({ sentAt, doneAt: Date.now(), status: 0, error: (err as Error).name });
    }
  }
}

/** A response header that should hold a whole number ≥ 0; undefined when absent or anything else. */
function headerInt(r: Response, name: string): number | undefined {
  const v = r.headers.get(name);
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
}
