/**
 * The api's error catalog. Each error has a stable `code` (clients and tests branch on
 * it), the HTTP status it maps to, and a message saying what to do about it.
 */
import { NinesError } from '../lib/errors.ts';

export class BadParameterError extends NinesError {
  constructor(problems: string[]) {
    super('ERR_BAD_PARAMETER', 400, 'Bad Request', `invalid query parameters: ${problems.join('; ')}`, {
      extra: { errors: problems },
    });
  }
}

export class EmptyBodyError extends NinesError {
  constructor() {
    super('ERR_EMPTY_BODY', 400, 'Bad Request', 'the request body is empty; send the image bytes as the body');
  }
}

export class InvalidKeyError extends NinesError {
  constructor(message: string) {
    super('ERR_UNAUTHORIZED', 401, 'Unauthorized', message);
  }
}

export class BodyTooLargeError extends NinesError {
  constructor(limit: number) {
    super('ERR_BODY_TOO_LARGE', 413, 'Content Too Large', `the image is larger than the ${limit}-byte limit; send a smaller image`, {
      extra: { limitBytes: limit },
    });
  }
}

export class UnsupportedMediaTypeError extends NinesError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported Media Type', message, {
      extra: { supported: ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif', 'image/tiff', 'image/svg+xml'] },
    });
  }
}

export class UndecodableError extends NinesError {
  constructor(message: string) {
    super('ERR_UNDECODABLE', 422, 'Unprocessable Content', message);
  }
}

export class TooManyPixelsError extends NinesError {
  constructor(width: number, height: number, limit: number) {
    super(
      'ERR_TOO_MANY_PIXELS',
      422,
      'Unprocessable Content',
      `the image is ${width}x${height} = ${width * height} pixels, over the ${limit}-pixel limit; send a smaller image`,
      { extra: { width, height, limitPixels: limit } },
    );
  }
}

export class RateLimitedError extends NinesError {
  constructor(retryAfterS: number, rate: number) {
    super('ERR_RATE_LIMITED', 429, 'Too Many Requests', `over your rate of ${rate} requests/s; retry after ${retryAfterS} s`, {
      retryAfterS,
    });
  }
}

export class TenantConcurrencyError extends NinesError {
  constructor(retryAfterS: number, limit: number) {
    super('ERR_TENANT_CONCURRENCY', 429, 'Too Many Requests', `over your limit of ${limit} requests in flight on this server; retry after ${retryAfterS} s`, {
      retryAfterS,
    });
  }
}

export class OverloadedError extends NinesError {
  constructor(retryAfterS: number) {
    super('ERR_OVERLOADED', 503, 'Service Unavailable', `this server is at its in-flight limit; retry after ${retryAfterS} s`, {
      retryAfterS,
    });
  }
}

export class QueueUnavailableError extends NinesError {
  constructor(reason: 'no_broker' | 'queue_full' | 'no_workers' | 'too_many_attempts' | 'blob_unreachable', retryAfterS: number) {
    const what = {
      blob_unreachable: 'the resize worker could not fetch the image from this server',
      no_broker: 'no queue broker is reachable',
      queue_full: 'the resize queue is full',
      no_workers: 'no resize worker is available',
      too_many_attempts: 'the job failed on every worker that tried it',
    }[reason];
    super(`ERR_${reason.toUpperCase()}`, 503, 'Service Unavailable', `${what}; retry after ${retryAfterS} s`, { retryAfterS });
  }
}

export class DeadlineExceededError extends NinesError {
  constructor(deadlineMs: number) {
    super('ERR_DEADLINE', 504, 'Gateway Timeout', `the resize did not finish within ${deadlineMs} ms; retry later`);
  }
}

export class UsageUnavailableError extends NinesError {
  constructor(retryAfterS: number, cause: unknown) {
    super('ERR_USAGE_UNAVAILABLE', 503, 'Service Unavailable', `usage data is unavailable right now; retry after ${retryAfterS} s`, {
      retryAfterS,
      cause,
    });
  }
}

export class NotReadyError extends NinesError {
  constructor(what: string[]) {
    super('ERR_NOT_READY', 503, 'Service Unavailable', `not ready: ${what.join(', ')}`, { retryAfterS: 1 });
  }
}
