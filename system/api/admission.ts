/**
 * Admission control: a request is admitted only while this server and the tenant are
 * under their in-flight bounds and the tenant has a token in its bucket. Everything else
 * is refused at once with Retry-After, so overload shows as fast 429/503s, never as a
 * queue that grows until requests time out.
 */
import { OverloadedError, RateLimitedError, TenantConcurrencyError } from './errors.ts';

interface Bucket {
  tokens: number;
  updatedMs: number;
  inFlight: number;
}

export interface TenantLimits {
  tenantId: string;
  ratePerSec: number;
  burst: number;
}

export class Admission {
  private inFlight = 0;
  private readonly tenants = new Map<string, Bucket>();

  constructor(
    private readonly opts: { maxInFlight: number; tenantMaxInFlight: number; retryAfterS: number },
    private readonly now: () => number = () => performance.now(),
  ) {}

  get current(): number {
    return this.inFlight;
  }

  /**
   * The error `admit` would throw now, or undefined; takes no slot and no token (the
   * refusal fast path, shed.ts, asks this before a request reaches express).
   */
  check(t: TenantLimits): OverloadedError | TenantConcurrencyError | RateLimitedError | undefined {
    if (this.inFlight >= this.opts.maxInFlight) return new OverloadedError(this.opts.retryAfterS);
    const b = this.bucket(t);
    if (b.inFlight >= this.opts.tenantMaxInFlight) return new TenantConcurrencyError(this.opts.retryAfterS, this.opts.tenantMaxInFlight);
    if (b.tokens < 1) return new RateLimitedError(Math.max(1, Math.ceil((1 - b.tokens) / t.ratePerSec)), t.ratePerSec);
    return undefined;
  }

  /** Admits one request or throws a 429/503 error; call the returned release exactly once. */
  admit(t: TenantLimits): () => void {
    const refused = this.check(t);
    if (refused) throw refused;
    const b = this.bucket(t);
    b.tokens -= 1;
    b.inFlight++;
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      b.inFlight--;
      this.inFlight--;
    };
  }

  private bucket(t: TenantLimits): Bucket {
    const now = this.now();
    let b = this.tenants.get(t.tenantId);
    if (!b) {
      b = { tokens: t.burst, updatedMs: now, inFlight: 0 };
      this.tenants.set(t.tenantId, b);
    } else {
      b.tokens = Math.min(t.burst, b.tokens + ((now - b.updatedMs) / 1000) * t.ratePerSec);
      b.updatedMs = now;
    }
    return b;
  }
}
