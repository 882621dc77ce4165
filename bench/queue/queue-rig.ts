/**
 * The simulated clients of the real broker: api servers submitting jobs on an open-model
 * schedule and workers answering them at once (sim-api.ts, sim-worker.ts), with the
 * dispatch latency of every job measured from its intended submit time to the moment a
 * worker receives it. Everything here is protocol-agnostic; the sims speak the protocol.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { newHistogram, recordUs, type Histogram } from '../../harness/load/histogram.ts';
import { waitFor } from '../../harness/stack/local-stack.ts';
import { isNinesError } from '../../system/lib/errors.ts';
import { withBrokerWait } from './broker-wait.ts';
import { SimApi, type JobKind } from './sim-api.ts';
import { SimWorker } from './sim-worker.ts';
import { openLoop, type OpenLoopResult } from './open-loop.ts';
import { Traffic, type TrafficSnapshot } from './traffic.ts';

export interface QueueRigOptions {
  brokerUrl: string;
  /** The broker's HTTP port, to wait until it has every worker's credit. */
  brokerHttpUrl: string;
  secrets: { api: string; worker: string };
  apis: number;
  workers: number;
  credit: number;
  log: Logger;
}

export interface QueuePhase {
  loop: OpenLoopResult;
  /** Jobs whose result came back (replies matched by the JobClient). */
  completed: number;
  /** Failed jobs by the HTTP status the api would answer (503, 504) or 'other'. */
  errors: Record<string, number>;
  /** Intended submit time → a worker has the job; over every job dispatched. */
  dispatchMs: { p50: number; p99: number; max: number; count: number };
  /** The broker's own queue wait p99 (enqueue to dispatch; a histogram bucket's bound), ms. */
  brokerWaitP99Ms: number;
  traffic: TrafficSnapshot;
}

const CONNECT_TIMEOUT_MS = 10_000;

export class QueueRig {
  readonly traffic = new Traffic();
  /** Intended submit time (performance.now()) of every job not yet dispatched. */
  private readonly intended = new Map<string, number>();
  private latency: Histogram = newHistogram();
  private readonly apis: SimApi[];
  private readonly workers: SimWorker[];

  private constructor(private readonly o: QueueRigOptions) {
    const { traffic } = this;
    this.apis = Array.from({ length: o.apis }, (_, i) => new SimApi({ id: `a${i + 1}`, brokerUrl: o.brokerUrl, secret: o.secrets.api, traffic, log: o.log }));
    const byId = new Map(this.apis.map((a) => [a.id, a]));
    this.workers = Array.from(
      { length: o.workers },
      (_, i) =>
        new SimWorker({
          id: `w${i + 1}`,
          brokerUrl: o.brokerUrl,
          secret: o.secrets.worker,
          credit: o.credit,
          traffic,
          log: o.log,
          onJob: (jobId) => this.dispatched(jobId),
          handOver: (apiId, frame) => byId.get(apiId)?.handOver(frame) ?? false,
        }),
    );
  }

  /** Connects every simulated client and waits until the broker has every worker's credit. */
  static async start(o: QueueRigOptions): Promise<QueueRig> {
    const rig = new QueueRig(o);
    try {
      await Promise.all([...rig.apis, ...rig.workers].map((c) => c.ready(CONNECT_TIMEOUT_MS)));
      await waitFor(`${o.brokerHttpUrl}/status`, (s) => (s as { workers: number }).workers >= o.workers, CONNECT_TIMEOUT_MS);
    } catch (err) {
      await rig.close();
      throw err;
    }
    return rig;
  }

  /**
   * Offers `rate` jobs/s of `kind` for `seconds`, round-robin over the api servers, then
   * waits for every job to settle (bounded by the JobClient's deadline).
   */
  async run(kind: JobKind, rate: number, seconds: number): Promise<QueuePhase> {
    const { result, brokerWaitP99Ms } = await withBrokerWait(this.o.brokerHttpUrl, () => this.offer(kind, rate, seconds));
    return { ...result, brokerWaitP99Ms };
  }

  private async offer(kind: JobKind, rate: number, seconds: number): Promise<Omit<QueuePhase, 'brokerWaitP99Ms'>> {
    this.traffic.take();
    this.latency = newHistogram();
    let completed = 0;
    const errors: Record<string, number> = {};
    // A count, not an array of the phase's promises: holding thousands of them promoted them
    // to the old generation, and the sims' mark-compact steps (up to 17 ms) showed up as
    // dispatch latency.
    let outstanding = 0;
    let allSettled: () => void = () => undefined;
    const settled = () => {
      if (--outstanding === 0) allSettled();
    };
    let n = 0;
    const loop = await openLoop(rate, seconds, (intendedMs) => {
      const jobId = randomUUID();
      this.intended.set(jobId, intendedMs);
      const api = this.apis[n++ % this.apis.length]!;
      outstanding++;
      api.submit(jobId, kind).then(
        () => void completed++,
        (err: unknown) => {
          const key = isNinesError(err) ? String(err.statusCode) : 'other';
          errors[key] = (errors[key] ?? 0) + 1;
        },
      ).finally(() => {
        this.intended.delete(jobId);
        settled();
      });
    });
    if (outstanding > 0) await new Promise<void>((resolve) => (allSettled = resolve));
    const h = this.latency;
    const dispatchMs = { p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, max: h.maxValue / 1000, count: h.totalCount };
    return { loop, completed, errors, dispatchMs, traffic: this.traffic.take() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((c) => c.close()));
  }

  /** A worker has the job: its dispatch latency (a redelivery is not counted twice). */
  private dispatched(jobId: string): void {
    const t = this.intended.get(jobId);
    if (t === undefined) return;
    this.intended.delete(jobId);
    recordUs(this.latency, (performance.now() - t) * 1000);
  }
}
