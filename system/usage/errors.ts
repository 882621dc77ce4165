/**
 * The usage service's error catalog. Callers branch on `code`; messages say what to do.
 * HTTP errors reach the client through `problemHandler`; batch errors never leave the
 * service (a bad batch is logged, counted and dropped, see consumer.ts).
 */
import { NinesError, type NinesErrorOptions } from '../lib/errors.ts';

/** A query parameter is missing or malformed; `problems` lists every one at once. */
export class ValidationError extends NinesError {
  readonly problems: string[];
  constructor(problems: string[], opts: NinesErrorOptions = {}) {
    super('ERR_VALIDATION', 400, 'Bad Request', `invalid request: ${problems.join('; ')}`, {
      ...opts,
      extra: { problems, ...opts.extra },
    });
    this.problems = problems;
  }
}

/** The time range of a usage query is empty, reversed or too long. */
export class InvalidRangeError extends NinesError {
  constructor(message: string) {
    super('ERR_INVALID_RANGE', 400, 'Bad Request', message);
  }
}

/** A usage batch that is not JSON or does not match the UsageBatch schema. */
export class InvalidBatchError extends NinesError {
  readonly problems: string[];
  constructor(problems: string[], opts: NinesErrorOptions = {}) {
    super(
      'ERR_INVALID_BATCH',
      400,
      'Invalid usage batch',
      `usage batch dropped, fix the sender: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` (+${problems.length - 10} more)` : ''}`,
      opts,
    );
    this.problems = problems;
  }
}

/** SQLite failed (disk full, I/O error, locked); the batch is not acked so the sender resends it. */
export class StoreError extends NinesError {
  constructor(message: string, cause: unknown) {
    super('ERR_STORE', 503, 'Usage store unavailable', `${message}; retry later`, { cause, retryAfterS: 1 });
  }
}
