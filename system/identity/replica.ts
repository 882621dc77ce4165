/**
 * The data-plane replica of identity that every api server holds. Authentication is a
 * map lookup and one sha256, with no network hop on the request path; the map is kept
 * fresh by a long-poll loop on the identity service's blocking snapshot query, so a
 * change (a revocation, above all) arrives within one round trip of being committed.
 *
 * When identity is unreachable the replica keeps serving the last snapshot it has (the
 * data plane must not fail because the management plane is down) and retries with
 * backoff; `nines_identity_replica_last_contact_seconds` shows how stale it may be.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Agent, fetch } from 'undici';
import { z } from 'zod';
import { hashKey, parseKey } from './keys.ts';
import type { Snapshot, Tenant } from './types.ts';

export interface IdentityReplicaOptions {
  /** Base URL of the identity service, e.g. http://127.0.0.1:8081. */
  identityUrl: string;
  serviceToken: string;
  log: Logger;
  registry: Registry;
  /**
   * How long the server may hold each poll; default 30 s, the server's cap. A change ends the
   * poll at once whatever this is; it only sets how often an idle replica asks again.
   */
  waitMs?: number;
}

/** Who a valid API key belongs to, and the limits the api tier applies. */
export interface AuthenticatedKey {
  tenantId: string;
  keyId: string;
  ratePerSec: number;
  burst: number;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;
// Beyond the server's hold time, allow this much for the answer itself; after that the
// connection is presumed dead (a partition can keep a TCP socket open but silent).
const RESPONSE_GRACE_MS = 5_000;

/**
 * The poll's own connection pool, with undici's per-request timers off: the poll's deadline is
 * its AbortSignal. With them on, a poll held open for its whole wait keeps undici's coarse
 * timer wheel ticking twice a second in an otherwise idle api server.
 */
const pollAgent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: 1 });

const snapshotSchema = z.object({
  index: z.number().int().min(0),
  tenants: z.array(
    z.object({ tenantId: z.string(), name: z.string(), ratePerSec: z.number().positive(), burst: z.number().positive() }),
  ),
  keys: z.array(z.object({ keyId: z.string(), tenantId: z.string(), hash: z.string().regex(/^[0-9a-f]{64}$/) })),
});

interface State {
  index: number;
  tenants: Map<string, Tenant>;
  keys: Map<string, { tenantId: string; hash: Buffer }>;
}

export class IdentityReplica {
  private readonly url: string;
  private readonly serviceToken: string;
  private readonly log: Logger;
  private readonly waitMs: number;
  private state: State | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private readonly metrics;

  constructor(opts: IdentityReplicaOptions) {
    this.url = `${opts.identityUrl.replace(/\/+$/, '')}/internal/snapshot`;
    this.serviceToken = opts.serviceToken;
    this.log = opts.log.child({ module: 'identity-replica' });
    this.waitMs = opts.waitMs ?? 30_000;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Marked handled: a replica stopped before its first snapshot must not crash a process
    // that never awaited ready(); callers that do await it still see the rejection.
    this.readyPromise.catch(() => {});
    const registers = [opts.registry];
    this.metrics = {
      index: new Gauge({ name: 'nines_identity_replica_index', help: 'Store version of the applied identity snapshot', registers }),
      updates: new Counter({ name: 'nines_identity_replica_updates_total', help: 'Identity snapshots applied with a new index', registers }),
      lastUpdate: new Gauge({
        name: 'nines_identity_replica_last_update_seconds',
        help: 'Unix time the last identity snapshot with a new index was applied',
        registers,
      }),
      lastContact: new Gauge({
        name: 'nines_identity_replica_last_contact_seconds',
        help: 'Unix time identity last answered a poll (changed or not): staleness = now - this',
        registers,
      }),
      errors: new Counter({ name: 'nines_identity_replica_errors_total', help: 'Failed identity snapshot polls', registers }),
    };
  }

  /** Starts the long-poll loop in the background; it never throws. Idempotent. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves once the first snapshot is applied; rejects if stopped before that. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** True once a snapshot has been applied. */
  isReady(): boolean {
    return this.state !== undefined;
  }

  /** The index of the applied snapshot, or -1 before the first one. */
  index(): number {
    return this.state?.index ?? -1;
  }

  /**
   * The owner of `apiKey` when it is well formed, known, active and its hash matches;
   * undefined otherwise (including before the first snapshot).
   */
  authenticate(apiKey: string): AuthenticatedKey | undefined {
    const state = this.state;
    const parsed = state && parseKey(apiKey);
    if (!state || !parsed) return undefined;
    const entry = state.keys.get(parsed.keyId);
    if (!entry) return undefined;
    const presented = Buffer.from(hashKey(apiKey), 'hex');
    if (!timingSafeEqual(presented, entry.hash)) return undefined;
    const tenant = state.tenants.get(entry.tenantId);
    if (!tenant) return undefined;
    return { tenantId: tenant.tenantId, keyId: parsed.keyId, ratePerSec: tenant.ratePerSec, burst: tenant.burst };
  }

  /** The tenant's settings from the applied snapshot, or undefined. */
  tenant(tenantId: string): Tenant | undefined {
    return this.state?.tenants.get(tenantId);
  }

  /** Aborts the in-flight poll and resolves once the loop has ended. Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (!this.state) this.rejectReady(new Error('identity replica stopped before its first snapshot'));
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.abort.signal.aborted) {
      try {
        await this.pollOnce();
        backoff = MIN_BACKOFF_MS;
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.metrics.errors.inc();
        this.log.warn({ err: errText(err), retryInMs: backoff, index: this.index() }, 'identity snapshot poll failed; retrying');
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async pollOnce(): Promise<void> {
    const params = new URLSearchParams({ wait: String(this.waitMs) });
    if (this.state) params.set('index', String(this.state.index));
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.waitMs + RESPONSE_GRACE_MS)]);
    const res = await fetch(`${this.url}?${params}`, {
      headers: { authorization: `Bearer ${this.serviceToken}`, accept: 'application/json' },
      signal,
      dispatcher: pollAgent,
    });
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      throw new Error(`identity answered ${res.status}: ${body.slice(0, 300)}`);
    }
    const snap: Snapshot = snapshotSchema.parse(await res.json());
    this.metrics.lastContact.set(Date.now() / 1000);
    if (this.state && snap.index === this.state.index) return;
    if (this.state && snap.index < this.state.index) {
      this.log.warn({ from: this.state.index, to: snap.index }, 'identity index went backwards (store restored?); resyncing');
    }
    this.apply(snap);
  }

  private apply(snap: Snapshot): void {
    const first = !this.state;
    this.state = {
      index: snap.index,
      tenants: new Map(snap.tenants.map((t) => [t.tenantId, t])),
      keys: new Map(snap.keys.map((k) => [k.keyId, { tenantId: k.tenantId, hash: Buffer.from(k.hash, 'hex') }])),
    };
    this.metrics.index.set(snap.index);
    this.metrics.updates.inc();
    this.metrics.lastUpdate.set(Date.now() / 1000);
    this.log.debug({ index: snap.index, keys: snap.keys.length }, 'identity snapshot applied');
    if (first) {
      this.log.info({ index: snap.index }, 'identity replica ready');
      this.resolveReady();
    }
  }
}

const errText = (err: unknown): string => {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
