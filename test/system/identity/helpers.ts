/**
 * Starts a real identity service (real express app, real SQLite file in a temp dir) on
 * port 0, and a replica against it; everything is closed in `t.after`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Registry } from 'prom-client';
import { createLogger } from '../../../system/lib/logger.ts';
import { listen, type Listening } from '../../../system/lib/http/server.ts';
import { buildIdentityApp } from '../../../system/identity/app.ts';
import { IdentityStore } from '../../../system/identity/store.ts';
import { IdentityReplica } from '../../../system/identity/replica.ts';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const SERVICE_TOKEN = 'service-token-0123456789abcdef';
export const log = createLogger('identity-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface Identity {
  url: string;
  port: number;
  dbPath: string;
  store: IdentityStore;
  registry: Registry;
  server: Listening;
  /** Answers held snapshot requests and closes the server (the store stays open). */
  stop(): Promise<void>;
}

export function tempDbPath(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'nines-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A nested path proves the store creates its parent directory.
  return join(dir, 'data', 'identity.db');
}

/** Starts identity over `store` (a new one in a temp dir when absent) on `port` (0 = free). */
export async function startIdentity(t: TestContext, opts: { store?: IdentityStore; port?: number } = {}): Promise<Identity> {
  const store = opts.store ?? IdentityStore.open({ path: tempDbPath(t), log });
  const registry = new Registry();
  const { app, close } = buildIdentityApp({
    config: { adminToken: ADMIN_TOKEN, serviceToken: SERVICE_TOKEN, tenantDefaults: { ratePerSec: 200, burst: 400 } },
    store,
    log,
    registry,
  });
  const server = await listen(app, '127.0.0.1', opts.port ?? 0);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    close();
    await server.close();
  };
  t.after(async () => {
    await stop();
    store.close();
  });
  return { url: server.url, port: server.port, dbPath: store.path, store, registry, server, stop };
}

/** A started replica against `url`, stopped in `t.after`. */
export function startReplica(t: TestContext, url: string, waitMs?: number): IdentityReplica {
  const replica = new IdentityReplica({
    identityUrl: url,
    serviceToken: SERVICE_TOKEN,
    log,
    registry: new Registry(),
    ...(waitMs === undefined ? {} : { waitMs }),
  });
  replica.start();
  t.after(() => replica.stop());
  return replica;
}

/** fetch with the admin token and an optional JSON body. */
export async function admin(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  /** null sends no Authorization header. */
  token: string | null = ADMIN_TOKEN,
): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
  const res = await fetch(url + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: (await res.json()) as Record<string, unknown> };
}

/** GET /internal/snapshot with the service token; reports the elapsed milliseconds. */
export async function snapshot(
  url: string,
  query: string,
  token = SERVICE_TOKEN,
): Promise<{ status: number; index: number; header: string | null; ms: number; json: Record<string, unknown> }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/internal/snapshot${query}`, { headers: { authorization: `Bearer ${token}` } });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, index: json.index as number, header: res.headers.get('x-nines-index'), ms: performance.now() - t0, json };
}

/** Polls `cond` every `everyMs` until it holds or `boundMs` passes; resolves with the elapsed ms or undefined. */
export async function waitFor(cond: () => boolean, boundMs: number, everyMs = 1): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < boundMs) {
    if (cond()) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return cond() ? performance.now() - t0 : undefined;
}
