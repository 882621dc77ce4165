/**
 * The identity store: tenants and hashed API keys in SQLite, plus a monotonic `version`
 * bumped in the same transaction as every change, so "has anything changed since N?" is
 * one integer comparison and a snapshot always names the exact state it shows.
 *
 * Listeners registered with `onChange` run after each committed change; the admin app
 * uses them to answer held blocking queries at once instead of polling.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { generateKey } from './keys.ts';
import { KeyNotFoundError, TenantExistsError, TenantNotFoundError } from './errors.ts';
import type { CreatedKey, CreatedTenant, KeyView, RevokedKey, Snapshot, SnapshotKey, Tenant, TenantView } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tenants (
  tenant_id    TEXT PRIMARY KEY,
  -- NOCASE: "Acme" and "acme" are one customer to a human, so they may not both exist.
  name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  rate_per_sec INTEGER NOT NULL,
  burst        INTEGER NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
  key_id     TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants(tenant_id),
  hash       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_by_tenant ON api_keys(tenant_id);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (k, v) VALUES ('version', 0);
`;

interface TenantRow {
  tenant_id: string;
  name: string;
  rate_per_sec: number;
  burst: number;
  created_at: string;
}
interface KeyRow {
  key_id: string;
  tenant_id: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface NewTenant {
  name: string;
  ratePerSec: number;
  burst: number;
}

export interface StoreOptions {
  /** The SQLite file; its parent directory is created when missing. */
  path: string;
  log?: Logger;
}

export type ChangeListener = (version: number) => void;

const toTenant = (r: TenantRow): Tenant => ({
  tenantId: r.tenant_id,
  name: r.name,
  ratePerSec: r.rate_per_sec,
  burst: r.burst,
});

export class IdentityStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly log: Logger | undefined;
  private readonly listeners = new Set<ChangeListener>();
  private readonly stmt;

  /** Opens (creating when needed) the store at `opts.path`. */
  static open(opts: StoreOptions): IdentityStore {
    return new IdentityStore(opts);
  }

  private constructor(opts: StoreOptions) {
    this.path = opts.path;
    this.log = opts.log;
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = new Database(opts.path);
    this.db.pragma('journal_mode = WAL');
    // FULL, not WAL's usual NORMAL: writes are rare here, and a revocation acknowledged to
    // an admin must survive a power cut, or a leaked key would come back to life.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.stmt = {
      version: this.db.prepare<[], { v: number }>(`SELECT v FROM meta WHERE k = 'version'`),
      bump: this.db.prepare(`UPDATE meta SET v = v + 1 WHERE k = 'version'`),
      tenantByName: this.db.prepare<[string], TenantRow>('SELECT * FROM tenants WHERE name = ?'),
      tenantById: this.db.prepare<[string], TenantRow>('SELECT * FROM tenants WHERE tenant_id = ?'),
      insertTenant: this.db.prepare(
        'INSERT INTO tenants (tenant_id, name, rate_per_sec, burst, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      insertKey: this.db.prepare('INSERT INTO api_keys (key_id, tenant_id, hash, created_at) VALUES (?, ?, ?, ?)'),
      keyById: this.db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE key_id = ?'),
      revoke: this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL'),
      // rowid is creation order (rows are never deleted), and unlike timestamps it never ties.
      allTenants: this.db.prepare<[], TenantRow>('SELECT * FROM tenants ORDER BY rowid'),
      allKeys: this.db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY rowid'),
      activeKeys: this.db.prepare<[], KeyRow>('SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY key_id'),
      counts: this.db.prepare<[], { tenants: number; activeKeys: number }>(
        `SELECT (SELECT count(*) FROM tenants) AS tenants,
                (SELECT count(*) FROM api_keys WHERE revoked_at IS NULL) AS activeKeys`,
      ),
    };
  }

  /** Creates a tenant and its first API key in one transaction; throws TenantExistsError. */
  createTenant(t: NewTenant): CreatedTenant {
    const result = this.db
      .transaction((): CreatedTenant => {
        if (this.stmt.tenantByName.get(t.name)) throw new TenantExistsError(t.name);
        const tenantId = `tn_${randomBytes(8).toString('hex')}`;
        this.stmt.insertTenant.run(tenantId, t.name, t.ratePerSec, t.burst, new Date().toISOString());
        const key = this.insertKey(tenantId);
        this.stmt.bump.run();
        return { tenantId, name: t.name, ratePerSec: t.ratePerSec, burst: t.burst, keyId: key.keyId, apiKey: key.apiKey };
      })
      .immediate();
    this.changed();
    return result;
  }

  /** Adds an API key to a tenant; throws TenantNotFoundError. */
  createKey(tenantId: string): CreatedKey {
    const result = this.db
      .transaction((): CreatedKey => {
        if (!this.stmt.tenantById.get(tenantId)) throw new TenantNotFoundError(tenantId);
        const key = this.insertKey(tenantId);
        this.stmt.bump.run();
        return { tenantId, keyId: key.keyId, apiKey: key.apiKey };
      })
      .immediate();
    this.changed();
    return result;
  }

  /**
   * Revokes a key; idempotent: revoking again returns the first `revokedAt` and changes
   * nothing (no version bump). Throws KeyNotFoundError.
   */
  revokeKey(keyId: string): RevokedKey {
    let changed = false;
    const result = this.db
      .transaction((): RevokedKey => {
        const row = this.stmt.keyById.get(keyId);
        if (!row) throw new KeyNotFoundError(keyId);
        if (row.revoked_at) return { keyId, tenantId: row.tenant_id, revokedAt: row.revoked_at };
        const revokedAt = new Date().toISOString();
        this.stmt.revoke.run(revokedAt, keyId);
        this.stmt.bump.run();
        changed = true;
        return { keyId, tenantId: row.tenant_id, revokedAt };
      })
      .immediate();
    if (changed) this.changed();
    return result;
  }

  /** Every tenant with its keys' ids and dates; hashes never leave the store this way. */
  listTenants(): TenantView[] {
    return this.db.transaction((): TenantView[] => {
      const keysByTenant = new Map<string, KeyView[]>();
      for (const k of this.stmt.allKeys.all()) {
        const list = keysByTenant.get(k.tenant_id) ?? [];
        list.push({ keyId: k.key_id, createdAt: k.created_at, revokedAt: k.revoked_at });
        keysByTenant.set(k.tenant_id, list);
      }
      return this.stmt.allTenants
        .all()
        .map((r) => ({ ...toTenant(r), createdAt: r.created_at, keys: keysByTenant.get(r.tenant_id) ?? [] }));
    })();
  }

  /** The data-plane state (active keys only) at one version, read in one transaction. */
  snapshot(): Snapshot {
    return this.db.transaction((): Snapshot => {
      const index = this.version();
      const tenants = this.stmt.allTenants.all().map(toTenant);
      const keys: SnapshotKey[] = this.stmt.activeKeys
        .all()
        .map((k) => ({ keyId: k.key_id, tenantId: k.tenant_id, hash: k.hash }));
      return { index, tenants, keys };
    })();
  }

  /** The current version: 0 for an empty store, +1 per committed change. */
  version(): number {
    return this.stmt.version.get()?.v ?? 0;
  }

  /** Counts for gauges. */
  counts(): { tenants: number; activeKeys: number } {
    return this.stmt.counts.get() ?? { tenants: 0, activeKeys: 0 };
  }

  /** Calls `fn(version)` after every committed change; returns the unsubscribe function. */
  onChange(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Closes the database; later calls throw. */
  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }

  private insertKey(tenantId: string): { keyId: string; apiKey: string } {
    // A 48-bit random key id collides with negligible odds; retry rather than fail if it does.
    for (;;) {
      const key = generateKey();
      if (this.stmt.keyById.get(key.keyId)) continue;
      this.stmt.insertKey.run(key.keyId, tenantId, key.hash, new Date().toISOString());
      return { keyId: key.keyId, apiKey: key.apiKey };
    }
  }

  private changed(): void {
    const v = this.version();
    for (const fn of this.listeners) {
      // The change is committed; a failing listener must not turn it into an error for the writer.
      try {
        fn(v);
      } catch (err) {
        this.log?.error({ err }, 'identity change listener failed');
      }
    }
  }
}
