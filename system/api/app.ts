/**
 * Builds the api server's express app without listening, so tests can start it on port 0.
 * Stateless: everything it knows comes from the identity replica and the queue.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ApiConfig } from '../lib/config.ts';
import { metricsHandler } from '../lib/http/server.ts';
import { NotFoundError, problemHandler, sendProblem } from '../lib/http/problem.ts';
import type { IdentityReplica } from '../identity/replica.ts';
import { Admission } from './admission.ts';
import { authenticator } from './authenticate.ts';
import type { ShardedJobs } from './shards.ts';
import { Metering } from './metering.ts';
import type { ApiMetrics } from './metrics.ts';
import { declaredSizeClass, statusClassOf } from './size-class.ts';
import { openapi } from './openapi.ts';
import { resizeRoute } from './resize-route.ts';
import { usageRoute } from './usage-route.ts';
import type { UsageBatcher } from './usage-batcher.ts';
import { NotReadyError } from './errors.ts';
import type { FrameAllocator } from './body.ts';
import type { BlobStore } from './blob-store.ts';

export interface ApiDeps {
  config: ApiConfig;
  log: Logger;
  registry: Registry;
  metrics: ApiMetrics;
  identity: IdentityReplica;
  jobs: ShardedJobs;
  batcher: UsageBatcher;
  frames: FrameAllocator;
  blobs: BlobStore;
}

export function buildApiApp(d: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const authenticate = authenticator(d.identity);
  const admission = new Admission({
    maxInFlight: d.config.limits.maxInFlight,
    tenantMaxInFlight: d.config.limits.tenantMaxInFlight,
    retryAfterS: d.config.retryAfterS,
  });

  app.use((req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    (req as unknown as { log: Logger }).log = d.log.child({ reqId: requestId });
    const started = performance.now();
    res.once('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      const status = String(res.statusCode);
      d.metrics.requests.inc({ route, status, code: (res.locals.problemCode as string | undefined) ?? '' });
      const size_class = route === '/v1/resize' ? ((res.locals.sizeClass as string | undefined) ?? declaredSizeClass(req.headers['content-length'])) : 'none';
      d.metrics.duration.observe({ route, status_class: statusClassOf(res.statusCode), size_class }, (performance.now() - started) / 1000);
    });
    next();
  });

  app.post('/v1/resize', resizeRoute({ config: d.config, authenticate, admission, jobs: d.jobs, metrics: d.metrics, metering: new Metering(d.batcher), frames: d.frames, blobs: d.blobs }));
  app.get('/v1/usage', usageRoute(d.config, authenticate));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (req, res) => {
    const missing = [...(d.jobs.available ? [] : ['broker']), ...(d.identity.isReady() ? [] : ['identity'])];
    // Answered here, not through the error handler: a load balancer polls this every
    // 500 ms, and "not ready" is a state to report, not an error to log each time.
    if (missing.length) return sendProblem(res, new NotReadyError(missing), req.originalUrl);
    res.json({ status: 'ready' });
  });
  app.get('/metrics', metricsHandler(d.registry));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use((req, _res, next) => next(new NotFoundError(req.path)));
  app.use(problemHandler(d.log));
  return app;
}
