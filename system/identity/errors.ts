/**
 * The identity service's error catalog. Callers branch on `code`; messages say what to do.
 */
import { NinesError } from '../lib/errors.ts';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** A request that failed validation; `issues` lists every problem at once. */
export class ValidationError extends NinesError {
  readonly issues: ValidationIssue[];
  constructor(what: string, issues: ValidationIssue[]) {
    const list = issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ');
    super('ERR_VALIDATION', 400, 'Invalid request', `invalid ${what}: ${list}; fix these and retry`, {
      extra: { issues },
    });
    this.issues = issues;
  }
}

export class TenantExistsError extends NinesError {
  constructor(name: string) {
    super(
      'ERR_TENANT_EXISTS',
      409,
      'Tenant exists',
      `a tenant named "${name}" already exists; pick another name, or list tenants to find its id`,
      { extra: { name } },
    );
  }
}

export class TenantNotFoundError extends NinesError {
  constructor(tenantId: string) {
    super(
      'ERR_TENANT_NOT_FOUND',
      404,
      'Tenant not found',
      `no tenant with id "${tenantId}"; list tenants (GET /admin/tenants or \`nines tenant list\`) to find the id`,
      { extra: { tenantId } },
    );
  }
}

export class KeyNotFoundError extends NinesError {
  constructor(keyId: string) {
    super(
      'ERR_KEY_NOT_FOUND',
      404,
      'Key not found',
      `no API key with id "${keyId}"; the key id is the 12 hex characters after "nines_" (\`nines tenant list\` shows them)`,
      { extra: { keyId } },
    );
  }
}

/**
 * A failed admin API call, as the admin client sees it: the server's problem `code` and
 * `detail`, or ERR_ADMIN_UNREACHABLE (status 0) when no HTTP answer came back at all.
 */
export class AdminApiError extends NinesError {
  readonly status: number;
  constructor(code: string, status: number, detail: string, opts: { cause?: unknown } = {}) {
    super(code, status === 0 ? 503 : status, 'Admin API request failed', detail, opts);
    this.status = status;
  }
}
