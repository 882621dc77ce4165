/**
 * The base of every service's error catalog. A typed error carries a stable `code` that
 * callers branch on, the HTTP status it maps to, and a message that tells the caller what
 * to do. Subclasses live in each service's own `errors.ts`.
 */
export interface NinesErrorOptions {
  cause?: unknown;
  /** Seconds a client should wait before retrying; sent as `Retry-After`. */
  retryAfterS?: number;
  /** Extra members for the problem+json body (RFC 9457 extension members). */
  extra?: Record<string, unknown>;
}

export class NinesError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly title: string;
  readonly retryAfterS: number | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: string, statusCode: number, title: string, message: string, opts: NinesErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.statusCode = statusCode;
    this.title = title;
    this.retryAfterS = opts.retryAfterS;
    this.extra = opts.extra;
  }
}

/** A configuration that failed validation; `problems` lists every bad setting at once. */
export class ConfigError extends NinesError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('ERR_CONFIG', 500, 'Invalid configuration', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export const isNinesError = (err: unknown): err is NinesError => err instanceof NinesError;
