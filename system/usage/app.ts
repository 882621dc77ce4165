/**
 * The usage service's HTTP API, built without listening so tests can start it on port 0.
 *   GET /internal/usage?tenantId=&from=&to=   (service token) -> UsageReport
 *   GET /internal/records?tenantId=&limit=    (service token) -> { records: UsageRecord[] }, newest first
 *   GET /healthz, GET /metrics
 * Both internal routes are for other nines services (the api server's GET /v1/usage),
 * which have already authenticated the tenant; customers never reach this service directly.
 */
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { UsageConfig } from '../lib/config.ts';
import { isNinesError } from '../lib/errors.ts';
import { NotFoundError, problemHandler } from '../lib/http/problem.ts';
import { metricsHandler, requireToken } from '../lib/http/server.ts';
import { InvalidRangeError, StoreError, ValidationError } from './errors.ts';
import type { UsageStore } from './store.ts';

export interface UsageAppDeps {
  config: Pick<UsageConfig, 'serviceToken'>;
  store: UsageStore;
  log: Logger;
  registry: Registry;
}

const DAY_MS = 86_400_000;
export const DEFAULT_RANGE_MS = DAY_MS;
/** A leap year of hourly rows (8,784) is the most one query may read. */
export const MAX_RANGE_MS = 366 * DAY_MS;
export const DEFAULT_RECORDS_LIMIT = 100;
export const MAX_RECORDS_LIMIT = 1000;

const tenantId = z.string().min(1).max(128);
const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time such as 2026-11-26T04:00:00Z' });

// Strict, so a misspelt parameter (`form=`) is refused instead of silently defaulting.
const usageQuery = z.strictObject({ tenantId, from: isoDate.optional(), to: isoDate.optional() });
const recordsQuery = z.strictObject({
  tenantId,
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_RECORDS_LIMIT))
    .optional(),
});

function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const r = schema.safeParse(query);
  if (!r.success) throw new ValidationError(r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`));
  return r.data;
}

/** Runs a store read, turning a SQLite failure into a typed 503. */
function read<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isNinesError(err)) throw err;
    throw new StoreError(`could not read ${what}`, err);
  }
}

/** Builds the express app: internal query routes behind the service token, health and metrics open. */
export function buildUsageApp({ config, store, log, registry }: UsageAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const service = requireToken(config.serviceToken, 'service');

  app.get('/healthz', (_req, res) => {
    read('health', () => store.ping());
    res.json({ status: 'ok' });
  });
  app.get('/metrics', metricsHandler(registry));

  app.get('/internal/usage', service, (req, res) => {
    const q = parseQuery(usageQuery, req.query);
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_RANGE_MS);
    if (from.getTime() >= to.getTime()) {
      throw new InvalidRangeError(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
    }
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
      throw new InvalidRangeError('the range from..to is longer than 366 days; query it in parts');
    }
    res.json(read('usage', () => store.query(q.tenantId, from, to)));
  });

  app.get('/internal/records', service, (req, res) => {
    const q = parseQuery(recordsQuery, req.query);
    res.json({ records: read('records', () => store.records(q.tenantId, q.limit ?? DEFAULT_RECORDS_LIMIT)) });
  });

  app.use((req, _res, next) => next(new NotFoundError(req.path)));
  app.use(problemHandler(log.child({ module: 'http' })));
  return app;
}
