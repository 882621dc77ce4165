/**
 * The identity service's HTTP app, built without listening so tests can start it on
 * port 0. Two planes:
 *
 * - management (`/admin/*`, admin token): create tenants and keys, revoke keys;
 * - data (`/internal/snapshot`, service token): api servers keep a replica of the active
 *   keys with a Consul-style blocking query. A request that already holds the current
 *   index is parked until the store changes or its wait elapses, so a revocation reaches
 *   every replica within one round trip instead of one polling interval.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import type { IdentityConfig } from '../lib/config.ts';
import { NotFoundError, problemHandler } from '../lib/http/problem.ts';
import { metricsHandler, requireToken } from '../lib/http/server.ts';
import { ValidationError } from './errors.ts';
import type { IdentityStore } from './store.ts';

export const DEFAULT_WAIT_MS = 10_000;
export const MAX_WAIT_MS = 30_000;

export interface IdentityAppDeps {
  config: Pick<IdentityConfig, 'adminToken' | 'serviceToken' | 'tenantDefaults'>;
  store: IdentityStore;
  log: Logger;
  registry: Registry;
}

export interface IdentityApp {
  app: Express;
  /** Answers every held snapshot request now and stops holding new ones; idempotent. */
  close(): void;
}

const tenantName = z
  .string()
  // abort: a name that is empty or too long needs no further complaints about its characters.
  .min(1, { abort: true })
  .max(64, { abort: true })
  .regex(/^[A-Za-z0-9_.-]([A-Za-z0-9 _.-]*[A-Za-z0-9_.-])?$/, {
    message: 'use letters, digits, space, _ . - only, not starting or ending with a space',
  });
const limit = z.number().int().positive().max(1_000_000);
const createTenantBody = z.strictObject({ name: tenantName, ratePerSec: limit.optional(), burst: limit.optional() });

// Query values are strings (or arrays when repeated, which the schema refuses).
const snapshotQuery = z.object({
  index: z.string().regex(/^\d{1,15}$/, { message: 'must be a non-negative integer' }).transform(Number).optional(),
  wait: z.string().regex(/^\d{1,9}$/, { message: 'must be a non-negative integer of milliseconds' }).transform(Number).optional(),
});

/** Parses `input` with `schema`, or throws a ValidationError listing every issue. */
function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new ValidationError(
    what,
    r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

interface Waiter {
  finish(): void;
}

/** Builds the identity app over an open store; see the module comment for the routes. */
export function buildIdentityApp({ config, store, log, registry }: IdentityAppDeps): IdentityApp {
  const adminRequests = new Counter({
    name: 'nines_identity_admin_requests_total',
    help: 'Admin API requests by route and HTTP status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const snapshotRequests = new Counter({
    name: 'nines_identity_snapshot_requests_total',
    help: 'Snapshot requests by how they were answered: immediate, changed, timeout, closing',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const waitingGauge = new Gauge({
    name: 'nines_identity_snapshot_waiters',
    help: 'Snapshot requests currently held waiting for a change',
    registers: [registry],
  });
  const keysActive = new Gauge({ name: 'nines_identity_keys_active', help: 'Active (unrevoked) API keys', registers: [registry] });
  const tenantsGauge = new Gauge({ name: 'nines_identity_tenants', help: 'Tenants', registers: [registry] });
  const versionGauge = new Gauge({ name: 'nines_identity_version', help: 'Current identity store version', registers: [registry] });

  const refreshGauges = () => {
    const c = store.counts();
    keysActive.set(c.activeKeys);
    tenantsGauge.set(c.tenants);
    versionGauge.set(store.version());
  };
  refreshGauges();

  // Many replicas wake together after a change; serialize the snapshot once per version.
  let cached: { index: number; body: string } | undefined;
  const currentSnapshot = () => {
    const v = store.version();
    if (cached?.index !== v) {
      const snap = store.snapshot();
      cached = { index: snap.index, body: JSON.stringify(snap) };
    }
    return cached;
  };

  const waiters = new Set<Waiter>();
  let closing = false;
  const unsubscribe = store.onChange(() => {
    refreshGauges();
    for (const w of [...waiters]) w.finish();
  });

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const reqId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
    (req as { log?: Logger }).log = log.child({ reqId });
    res.setHeader('X-Request-Id', reqId);
    next();
  });

  const admin = requireToken(config.adminToken, 'admin');
  const service = requireToken(config.serviceToken, 'service');
  const json = express.json({ limit: '4kb' });
  const counted =
    (route: string): RequestHandler =>
    (_req, res, next) => {
      res.on('finish', () => adminRequests.inc({ route, status: String(res.statusCode) }));
      next();
    };

  app.get('/healthz', (_req, res) => {
    store.version(); // throws (→ 500) when the database is unusable
    res.json({ status: 'ok' });
  });
  app.get('/metrics', metricsHandler(registry));

  app.post('/admin/tenants', counted('create_tenant'), admin, json, (req, res) => {
    const body = validate(createTenantBody, req.body, 'tenant');
    const created = store.createTenant({
      name: body.name,
      ratePerSec: body.ratePerSec ?? config.tenantDefaults.ratePerSec,
      burst: body.burst ?? config.tenantDefaults.burst,
    });
    (req as { log?: Logger }).log?.info({ tenantId: created.tenantId, keyId: created.keyId }, 'tenant created');
    const { tenantId, name, apiKey, keyId, ratePerSec, burst } = created;
    res.status(201).json({ tenantId, name, apiKey, keyId, ratePerSec, burst });
  });

  app.get('/admin/tenants', counted('list_tenants'), admin, (_req, res) => {
    res.json({ tenants: store.listTenants() });
  });

  app.post('/admin/tenants/:tenantId/keys', counted('create_key'), admin, (req, res) => {
    const created = store.createKey(String(req.params.tenantId));
    (req as { log?: Logger }).log?.info({ tenantId: created.tenantId, keyId: created.keyId }, 'key created');
    res.status(201).json(created);
  });

  app.post('/admin/keys/:keyId/revoke', counted('revoke_key'), admin, (req, res) => {
    const revoked = store.revokeKey(String(req.params.keyId));
    (req as { log?: Logger }).log?.info(revoked, 'key revoked');
    res.json(revoked);
  });

  app.get('/internal/snapshot', service, (req, res) => {
    const q = validate(snapshotQuery, req.query, 'snapshot query');
    const waitMs = Math.min(q.wait ?? DEFAULT_WAIT_MS, MAX_WAIT_MS);
    res.setHeader('Cache-Control', 'no-store');
    const send = (outcome: string) => {
      const snap = currentSnapshot();
      snapshotRequests.inc({ outcome });
      if (closing) res.setHeader('Connection', 'close');
      res.setHeader('X-Nines-Index', String(snap.index));
      res.type('application/json').send(snap.body);
    };
    // Answer at once when the caller is behind, and also when it is *ahead* (the store was
    // restored from an older copy): holding would only delay its resync.
    if (q.index === undefined || q.index !== store.version() || closing || waitMs === 0) {
      send('immediate');
      return;
    }
    const waiter: Waiter = {
      finish: () => {
        if (!waiters.delete(waiter)) return;
        clearTimeout(timer);
        waitingGauge.set(waiters.size);
        send(closing ? 'closing' : 'changed');
      },
    };
    const timer = setTimeout(() => {
      if (!waiters.delete(waiter)) return;
      waitingGauge.set(waiters.size);
      send('timeout');
    }, waitMs);
    waiters.add(waiter);
    waitingGauge.set(waiters.size);
    // A replica that gave up (stopped, timed out) must not leave a waiter behind.
    res.on('close', () => {
      if (waiters.delete(waiter)) {
        clearTimeout(timer);
        waitingGauge.set(waiters.size);
      }
    });
  });

  app.use((req, _res, next) => next(new NotFoundError(req.path)));
  app.use(problemHandler(log));

  return {
    app,
    close() {
      if (closing) return;
      closing = true;
      unsubscribe();
      for (const w of [...waiters]) w.finish();
    },
  };
}
