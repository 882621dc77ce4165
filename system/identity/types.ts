/**
 * The identity service's wire shapes, shared by the store, the admin API and its client,
 * and the data-plane replica. Times are ISO-8601 strings; ids are opaque to callers.
 */

/** A tenant's public settings: its rate limit is enforced by the api tier. */
export interface Tenant {
  tenantId: string;
  name: string;
  ratePerSec: number;
  burst: number;
}

/** A key as the management plane shows it: never its hash, never the key itself. */
export interface KeyView {
  keyId: string;
  createdAt: string;
  /** null while the key is active. */
  revokedAt: string | null;
}

export interface TenantView extends Tenant {
  createdAt: string;
  keys: KeyView[];
}

/** What `POST /admin/tenants` answers: the only time the tenant's first API key is shown. */
export interface CreatedTenant extends Tenant {
  keyId: string;
  apiKey: string;
}

/** What `POST /admin/tenants/:tenantId/keys` answers: the only time the key is shown. */
export interface CreatedKey {
  tenantId: string;
  keyId: string;
  apiKey: string;
}

export interface RevokedKey {
  keyId: string;
  tenantId: string;
  revokedAt: string;
}

/** An active key as the data plane needs it: enough to verify, nothing to impersonate. */
export interface SnapshotKey {
  keyId: string;
  tenantId: string;
  /** sha256 of the full API key, lowercase hex. */
  hash: string;
}

/**
 * The whole data-plane state at one store version. `index` only grows while the store
 * lives, so a replica can ask "anything newer than the index I hold?".
 */
export interface Snapshot {
  index: number;
  tenants: Tenant[];
  keys: SnapshotKey[];
}
