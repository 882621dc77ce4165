/**
 * Refusals as the load engine sees them. A 429 or 503 is the service shedding load on
 * purpose; it is only useful to a client if it is fast and says when to come back
 * (`Retry-After`) in a body a program can read (`application/problem+json`). The engine
 * records the latency of refusals and of everything else (admitted requests, timeouts,
 * resets) in two extra latency classes, so an SLA can bound each on its own: a flood that
 * is refused in 2 ms while admitted work keeps its p99 is graceful degradation; one
 * averaged histogram cannot tell that from a slow service.
 */

/** Latency class of 429/503 answers. */
export const REFUSED = 'refused';
/** Latency class of every other outcome: answered, failed after admission, timed out, reset. */
export const ADMITTED = 'admitted';

export const isRefusal = (status: number): boolean => status === 429 || status === 503;

/**
 * True when a refusal's raw headers (undici's flat [name, value, …] list) carry
 * `Retry-After` and a problem+json Content-Type.
 */
export function refusalHeadersOk(raw: ReadonlyArray<Buffer | string> | null | undefined): boolean {
  if (!raw) return false;
  let retryAfter = false;
  let problem = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString().toLowerCase();
    if (name === 'retry-after') retryAfter = raw[i + 1]!.toString().trim() !== '';
    else if (name === 'content-type') problem = raw[i + 1]!.toString().toLowerCase().startsWith('application/problem+json');
  }
  return retryAfter && problem;
}
