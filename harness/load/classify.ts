/**
 * How a request's end becomes an outcome and a failure kind. Branches on error codes,
 * never on messages (undici and Node both set `code`).
 */
import type { Outcome } from './history.ts';

export type FailureKind = 'timeout' | 'econnrefused' | 'econnreset' | 'other' | `http_${number}`;

/** The engine's own deadline: raised by the slice when a request outlives `timeoutMs`. */
export class DeadlineError extends Error {
  readonly code = 'NINES_LOAD_DEADLINE';
  constructor() {
    super('request exceeded the load engine deadline; raise --timeout if the target is expected to be this slow');
  }
}

const TIMEOUT_CODES = new Set(['NINES_LOAD_DEADLINE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
// UND_ERR_SOCKET is undici's "other side closed"; UND_ERR_INFO is a request torn down
// because its pipelined neighbour was aborted. Both mean the connection went away under
// a request that may or may not have been processed.
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_INFO', 'ECONNABORTED']);

/** The failure kind of a transport error. */
export function errorKind(err: unknown): FailureKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'other';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (code === 'ECONNREFUSED') return 'econnrefused';
  if (RESET_CODES.has(code)) return 'econnreset';
  return 'other';
}

/**
 * Jepsen's distinction: `fail` when the request definitely did not take effect (an error
 * response, a refused connection), `info` when nobody knows (timeout, reset mid-request).
 */
export function outcomeOf(kind: FailureKind): Exclude<Outcome, 'ok' | 'dropped'> {
  return kind === 'econnrefused' || kind.startsWith('http_') ? 'fail' : 'info';
}

/** Status predicate from an explicit ok-list; by default every status below 400 is ok. */
export function okStatusPredicate(okStatuses?: readonly number[]): (status: number) => boolean {
  if (!okStatuses || okStatuses.length === 0) return (s) => s < 400;
  const ok = new Set(okStatuses);
  return (s) => ok.has(s);
}
