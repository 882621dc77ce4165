/**
 * A worker: takes jobs from its broker topic up to its credit, fetches claim-checked images
 * from the api server that holds them, resizes up to `concurrency` of them at once with
 * sharp (the cores it is given; most JPEGs decoded by libjpeg-turbo), and hands the image back to the requesting api server
 * (directly for a claim-checked job, else on its reply topic through the broker). Whoever
 * learns first that the api has the reply acks the job to the broker — the api for a direct
 * reply, the broker itself for one passing through — so a worker that dies mid-job leaves
 * the job unacked, and the broker redelivers it.
 */
import express from 'express';
import { Counter, Histogram, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../lib/config.ts';
import { encodeBatch } from '../lib/wire.ts';
import type { ErrorReply, ReplyHeader } from '../lib/jobs.ts';
import { JobFeed, type FeedJob } from './feed.ts';
import { listen, metricsHandler } from '../lib/http/server.ts';
import { NotFoundError, problemHandler } from '../lib/http/problem.ts';
import { CpuMeter } from './cpu-meter.ts';
import { loadTurboJpeg, type TurboJpeg } from './turbojpeg.ts';
import { threadpoolShortfall } from './threadpool.ts';
import { ResizeError, contentTypes, resize } from './resize.ts';
import { BlobFetcher, BlobFetchError } from './blob-fetch.ts';
import { BufferPool } from '../lib/buffer-pool.ts';

export interface RunningWorker {
  httpPort: number;
  close(): Promise<void>;
}

export async function startWorker(config: WorkerConfig, log: Logger, registry: Registry): Promise<RunningWorker> {
  const jobsTotal = new Counter({
    name: 'nines_worker_jobs_total',
    help: 'Jobs by outcome: ok, error, stale_epoch and malformed (dispatches dropped), blob_gone (the api stopped waiting), blob_unreachable.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const cpuSeconds = new Histogram({
    name: 'nines_worker_job_cpu_seconds',
    help: 'CPU time per job.',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [registry],
  });
  const fetchSeconds = new Histogram({
    name: 'nines_worker_blob_fetch_seconds',
    help: 'Time to fetch a claim-checked image from its api server.',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [registry],
  });
  const decodes = new Counter({
    name: 'nines_worker_decodes_total',
    help: 'Images decoded, by decoder (turbojpeg: the JPEG fast path; sharp) and, for sharp, why the fast path declined (none: fast path off).',
    labelNames: ['decoder', 'declined'] as const,
    registers: [registry],
  });
  const pool = new BufferPool(config.bufferPoolBytes);
  const tj = jpegDecoder(config, log);
  const jpeg = tj ? { tj, pool } : undefined;
  const shortfall = threadpoolShortfall(config.concurrency);
  if (shortfall) log.warn({ concurrency: config.concurrency }, shortfall);
  const blobs = new BlobFetcher(pool);
  const busy = new Gauge({ name: 'nines_worker_jobs_in_flight', help: 'Jobs being resized now.', registers: [registry] });

  const meter = new CpuMeter();
  const feed = new JobFeed({
    brokers: config.brokers,
    id: config.id,
    secret: config.mqttSecret,
    // Credit = running + prefetched. A few jobs held locally hide the dispatch round trip
    // (credit -> broker -> image transfer), which otherwise leaves cores idle between jobs.
    credit: config.concurrency + config.prefetch,
    log,
    onDropped: (why) => jobsTotal.inc({ outcome: why === 'stale_epoch' ? 'stale_epoch' : 'malformed' }),
  });
  let inFlight = 0;
  // A released slot is handed straight to the next waiter, so a job arriving in between
  // can never overtake it and push resizes in flight past `concurrency`.
  const waiting: Array<() => void> = [];
  const acquire = async () => {
    if (inFlight < config.concurrency && waiting.length === 0) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };

  feed.on('job', (job: FeedJob) => void run(job).finally(() => feed.done()));

  /**
   * Delivers the reply. A claim-checked job's reply goes straight back to the api that holds
   * the claim, which then acks the job to the broker for us (it has the result). Otherwise (or
   * when that api cannot be reached) the reply goes through the broker, which takes it as the
   * ack as it passes. A job with no one to answer — the api no longer waits — gets a bare ack.
   */
  const finish = async (job: FeedJob, reply: ReplyHeader | undefined, body?: Buffer) => {
    if (reply && job.header.blob) {
      try {
        if ((await blobs.reply(job.header.blob, encodeBatch({ replies: [{ ...reply, bytes: body?.length ?? 0 }] }, body ? [body] : []), job.header.deadline)) === 'delivered') return;
        reply = undefined; // the api no longer waits: just ack
      } catch (err) {
        log.warn({ err, jobId: job.header.jobId }, 'reply not handed to the api directly; sending it through the broker');
      }
    }
    if (reply) feed.reply(job, reply, body);
    else feed.ack(job);
  };

  async function run(job: FeedJob): Promise<void> {
    let body = job.body;
    const { blob } = job.header;
    if (blob) {
      // Fetched before taking a resize slot: the transfer overlaps other jobs' resizes,
      // which is what the prefetch credit is for.
      const started = performance.now();
      try {
        body = await blobs.fetch(blob, job.header.deadline);
        fetchSeconds.observe((performance.now() - started) / 1000);
      } catch (err) {
        const code = err instanceof BlobFetchError ? err.code : 'ERR_BLOB_UNREACHABLE';
        jobsTotal.inc({ outcome: code === 'ERR_BLOB_GONE' ? 'blob_gone' : 'blob_unreachable' });
        log.warn({ err, jobId: job.header.jobId }, 'claim-checked image not fetched');
        // Gone: nobody waits for an answer. Unreachable: tell the api, which answers 503.
        const header: ErrorReply = { type: 'error', jobId: job.header.jobId, epoch: job.epoch, code, message: (err as Error).message, cpuMs: 0 };
        await finish(job, code === 'ERR_BLOB_GONE' ? undefined : header);
        return;
      }
    }
    try {
      await resizeAndReply(job, body);
    } finally {
      if (blob) pool.release(body);
    }
  }

  async function resizeAndReply(job: FeedJob, body: Buffer): Promise<void> {
    const { jobId } = job.header;
    await acquire();
    busy.set(inFlight);
    meter.start(jobId);
    let reply: ReplyHeader;
    let out: Buffer | undefined;
    try {
      const r = await resize(body, job.header.params, config.maxPixels, jpeg);
      decodes.inc({ decoder: r.decoder, declined: r.declined ?? 'none' });
      const cpuMs = meter.stop(jobId);
      cpuSeconds.observe(cpuMs / 1000);
      reply = { type: 'result', jobId, epoch: job.epoch, contentType: contentTypes[r.format], format: r.format, width: r.width, height: r.height, cpuMs };
      out = r.data;
      jobsTotal.inc({ outcome: 'ok' });
    } catch (err) {
      const cpuMs = meter.stop(jobId);
      const code = err instanceof ResizeError ? err.code : 'ERR_RESIZE_FAILED';
      if (!(err instanceof ResizeError)) log.error({ err, jobId }, 'resize failed unexpectedly');
      reply = { type: 'error', jobId, epoch: job.epoch, code, message: err instanceof Error ? err.message : String(err), cpuMs };
      jobsTotal.inc({ outcome: 'error' });
    } finally {
      release();
      busy.set(inFlight);
    }
    await finish(job, reply, out);
  }

  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ status: feed.connected ? 'ok' : 'disconnected', inFlight, holding: feed.holding });
  });
  app.get('/metrics', metricsHandler(registry));
  app.use((req, _res, next) => next(new NotFoundError(req.path)));
  app.use(problemHandler(log));
  const http = await listen(app, config.host, config.httpPort);

  return {
    httpPort: http.port,
    async close() {
      // Drain: grant no more credit, give the jobs held a bounded time to answer; anything
      // still unacked when we disconnect is redelivered by the broker.
      feed.drain();
      for (let i = 0; i < 100 && feed.holding > 0; i++) await new Promise((r) => setTimeout(r, 50));
      await http.close();
      await blobs.close();
      await feed.stop();
    },
  };
}

/** The TurboJPEG binding when configured and loadable; without it sharp decodes everything. */
function jpegDecoder(config: WorkerConfig, log: Logger): TurboJpeg | undefined {
  if (config.jpegDecoder === 'sharp') {
    log.info('JPEG fast path off (NINES_WORKER_JPEG_DECODER=sharp)');
    return undefined;
  }
  const tj = loadTurboJpeg();
  if (tj instanceof Error) {
    log.warn({ err: tj }, 'JPEG fast path off: the TurboJPEG binding did not load (build it with scripts/build-native.sh); sharp decodes every image');
    return undefined;
  }
  return tj;
}
