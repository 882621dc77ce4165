/**
 * `POST /v1/resize`: authenticate, validate, admit, read and sniff the body, queue the job,
 * answer with the image. Cheap checks come first, so a request that will be refused costs
 * as little as possible, and nothing is read from the body of a request refused early.
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { ApiConfig } from '../lib/config.ts';
import { outputFormats, type JobHeader, type OutputFormat, type ResizeParams } from '../lib/jobs.ts';
import { NinesError } from '../lib/errors.ts';
import { parseResizeQuery } from './params.ts';
import { checkDeclaredType, sniff } from './sniff.ts';
import { checkDeclaredLength, readBody, type FrameAllocator } from './body.ts';
import type { BlobStore } from './blob-store.ts';
import { frameBody } from '../lib/wire.ts';
import { QueueUnavailableError, TooManyPixelsError, UndecodableError } from './errors.ts';
import type { Admission } from './admission.ts';
import type { ShardedJobs } from './shards.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Authenticate } from './authenticate.ts';
import type { Metering } from './metering.ts';
import { sizeClassOf } from './size-class.ts';

export interface ResizeDeps {
  config: ApiConfig;
  authenticate: Authenticate;
  admission: Admission;
  jobs: ShardedJobs;
  metrics: ApiMetrics;
  metering: Metering;
  frames: FrameAllocator;
  blobs: BlobStore;
}

const errorOf = (code: string, message: string, status: number) => new NinesError(code, status, status === 422 ? 'Unprocessable Content' : 'Internal Server Error', message);

export function resizeRoute(d: ResizeDeps): RequestHandler {
  const { config } = d;
  return async (req: Request, res: Response, next) => {
    const started = performance.now();
    const usage = d.metering.begin(res, started);
    try {
      const caller = d.authenticate(req);
      usage.tenant(caller);
      const requested = parseResizeQuery(req.query as Record<string, unknown>, config.limits.maxDimension);
      const declared = checkDeclaredType(req.headers['content-type']);
      checkDeclaredLength(req, config.limits.maxBodyBytes);
      const release = d.admission.admit(caller);
      d.metrics.inFlight.inc();
      res.once('close', () => {
        release();
        d.metrics.inFlight.dec();
      });

      const frame = await readBody(req, config.limits.maxBodyBytes, d.frames);
      res.once('close', () => d.frames.free(frame));
      const body = frameBody(frame);
      usage.input(body.length);
      res.locals.sizeClass = sizeClassOf(body.length); // the request histogram's label (app.ts)
      const image = await sniff(body, declared);
      usage.inputImage(image);
      if (image.width * image.height > config.limits.maxPixels) throw new TooManyPixelsError(image.width, image.height, config.limits.maxPixels);

      const format: OutputFormat = requested.format ?? ((outputFormats as readonly string[]).includes(image.format) ? (image.format as OutputFormat) : 'jpeg');
      const params: ResizeParams = { width: requested.width, height: requested.height, fit: requested.fit, format, quality: requested.quality };
      const jobId = usage.requestId;
      const sent = performance.now();
      const job: JobHeader = { jobId, tenantId: caller.tenantId, replyTo: config.id, deadline: Date.now() + config.deadlineMs, params };
      // Large images wait here for the worker to fetch them (the claim check); small ones
      // ride in the job frame, where an extra round trip would cost more than the copy.
      // Large means pooled (frameAllocator uses the same threshold), and it must: a pooled
      // frame is reused once released, so it may only leave through the blob port, whose
      // writes hold it, never through an MQTT write that could still be reading it.
      const claimCheck = d.frames.pooled(frame);
      if (claimCheck) job.blob = d.blobs.put(jobId, body);
      let reply;
      try {
        reply = claimCheck ? await d.jobs.submit(job, Buffer.alloc(0), config.deadlineMs) : await d.jobs.submit(job, body, config.deadlineMs, frame);
      } finally {
        if (claimCheck) d.blobs.remove(jobId);
      }
      const roundTripMs = performance.now() - sent;
      d.metrics.roundTrip.observe(roundTripMs / 1000);
      const h = reply.header;
      if (h.type === 'error') {
        usage.cpu(h.cpuMs);
        if (h.code === 'ERR_BLOB_UNREACHABLE') throw new QueueUnavailableError('blob_unreachable', config.retryAfterS);
        throw errorOf(h.code, h.message, h.code === 'ERR_UNDECODABLE' || h.code === 'ERR_TOO_MANY_PIXELS' ? 422 : 500);
      }
      if (h.type !== 'result') throw new UndecodableError('unexpected reply');
      usage.output({ bytes: reply.body.length, format: h.format, width: h.width, height: h.height, cpuMs: h.cpuMs });
      res.status(200).setHeader('Content-Type', h.contentType);
      res.setHeader('X-Nines-Width', String(h.width)).setHeader('X-Nines-Height', String(h.height));
      // Which shard and broker leadership carried the job: lets clients and the harness see failovers.
      res.setHeader('X-Nines-Epoch', String(h.epoch)).setHeader('X-Nines-Shard', String(reply.shard));
      res.end(reply.body);
      d.metrics.overhead.observe(Math.max(0, performance.now() - started - roundTripMs) / 1000);
    } catch (err) {
      next(err);
    }
  };
}

export const newRequestId = () => randomUUID();
