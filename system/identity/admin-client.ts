/**
 * A small typed client for the identity admin API, used by the CLI and the harness.
 * Every non-2xx answer becomes an AdminApiError carrying the server's problem `code` and
 * `detail`, so callers branch on codes, never on message text.
 */
import { AdminApiError } from './errors.ts';
import type { CreatedKey, CreatedTenant, RevokedKey, TenantView } from './types.ts';

export interface AdminClientOptions {
  adminUrl: string;
  adminToken: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

export interface CreateTenantInput {
  name: string;
  ratePerSec?: number;
  burst?: number;
}

export class AdminClient {
  private readonly base: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(opts: AdminClientOptions) {
    this.base = opts.adminUrl.replace(/\/+$/, '');
    this.token = opts.adminToken;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Creates a tenant and its first key; the returned apiKey is shown this once only. */
  createTenant(input: CreateTenantInput): Promise<CreatedTenant> {
    return this.request<CreatedTenant>('POST', '/admin/tenants', input);
  }

  /** Every tenant with its keys (ids and dates, never secrets). */
  async listTenants(): Promise<TenantView[]> {
    return (await this.request<{ tenants: TenantView[] }>('GET', '/admin/tenants')).tenants;
  }

  /** Adds a key to a tenant; the returned apiKey is shown this once only. */
  createKey(tenantId: string): Promise<CreatedKey> {
    return this.request<CreatedKey>('POST', `/admin/tenants/${encodeURIComponent(tenantId)}/keys`);
  }

  /** Revokes a key (idempotent: a second call returns the first revocation time). */
  revokeKey(keyId: string): Promise<RevokedKey> {
    return this.request<RevokedKey>('POST', `/admin/keys/${encodeURIComponent(keyId)}/revoke`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json, application/problem+json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      const why = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
      throw new AdminApiError(
        'ERR_ADMIN_UNREACHABLE',
        0,
        `could not reach the identity admin API at ${this.base} (${why}); check the URL and that identity is running`,
        { cause },
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const p = (parsed ?? {}) as { code?: unknown; detail?: unknown };
      throw new AdminApiError(
        typeof p.code === 'string' ? p.code : `ERR_HTTP_${res.status}`,
        res.status,
        typeof p.detail === 'string' ? p.detail : `identity answered ${res.status}: ${text.slice(0, 200)}`,
      );
    }
    if (parsed === undefined) {
      throw new AdminApiError('ERR_BAD_RESPONSE', res.status, `identity answered ${res.status} without a JSON body`);
    }
    return parsed as T;
  }
}
