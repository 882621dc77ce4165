/**
 * The one place that turns errors into HTTP responses: RFC 9457 problem+json with
 * `type`, `title`, `status`, `detail`, `code`. 5xx are logged at error, 4xx at info;
 * an untyped error becomes a 500 and a warning, because it is a bug to be given a code.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { NinesError, isNinesError } from '../errors.ts';

// A URN, not a URL: problem types are stable identifiers, and we own no domain to serve docs from.
export const PROBLEM_TYPE_BASE = 'urn:nines:problem:';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [k: string]: unknown;
}

export function toProblem(err: NinesError, instance?: string): Problem {
  return {
    type: PROBLEM_TYPE_BASE + err.code.toLowerCase().replace(/^err_/, '').replace(/_/g, '-'),
    title: err.title,
    status: err.statusCode,
    detail: err.message,
    code: err.code,
    ...(instance ? { instance } : {}),
    ...(err.extra ?? {}),
  };
}

export function sendProblem(res: Response, err: NinesError, instance?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.statusCode === 413) lingerThenClose(res);
  // Kept for access logs, metrics and usage records, which see the response, not the error.
  res.locals.problemCode = err.code;
  if (err.retryAfterS !== undefined) res.setHeader('Retry-After', String(err.retryAfterS));
  res.status(err.statusCode).type('application/problem+json').send(JSON.stringify(toProblem(err, instance)));
}

/** How long a refused upload is still read (and dropped) after its 413 before the connection is cut. */
const LINGER_MS = 2000;

/**
 * A refused upload may still be streaming when its 413 goes out. Closing at once (as
 * `Connection: close` makes node do) resets the connection under the client's next write,
 * and a client that writes before it reads (undici's fetch, curl) reports EPIPE instead of
 * the answer: 1 in 10 of 8 MiB uploads here, and one clean-clone CI run. So, as nginx's
 * lingering close does, read and drop what still arrives (never buffered), and cut the
 * connection only if the body is still coming after LINGER_MS.
 */
function lingerThenClose(res: Response): void {
  const req = res.req;
  res.once('finish', () => {
    if (req.complete) return;
    req.resume();
    const cut = setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
    req.once('end', () => clearTimeout(cut));
    req.socket.once('close', () => clearTimeout(cut));
  });
}

class InternalError extends NinesError {
  constructor(cause: unknown) {
    super('ERR_INTERNAL', 500, 'Internal Server Error', 'the server hit an unexpected error; it has been logged', { cause });
  }
}

/** Express error middleware. Also maps express/body-parser's own errors (they carry `status`). */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let typed: NinesError;
    if (isNinesError(err)) typed = err;
    else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      typed = new NinesError('ERR_BAD_REQUEST', err.status, 'Bad Request', String(err.message ?? 'bad request'));
    } else {
      log.warn({ err, url: req.originalUrl }, 'untyped error became a 500');
      typed = new InternalError(err);
    }
    const reqLog = (req as { log?: Logger }).log ?? log;
    // A refusal by design (429/503 with Retry-After: overload, failover) is an expected
    // state, not a fault: at 10k req/s a stack trace per refusal would drown the logs.
    if (typed.retryAfterS !== undefined) reqLog.warn({ code: typed.code, status: typed.statusCode }, typed.message);
    else if (typed.statusCode >= 500) reqLog.error({ err: typed, code: typed.code }, 'request failed');
    else reqLog.info({ code: typed.code, status: typed.statusCode }, typed.message);
    sendProblem(res, typed, req.originalUrl);
  };
}

export class NotFoundError extends NinesError {
  constructor(path: string) {
    super('ERR_NOT_FOUND', 404, 'Not Found', `no route for ${path}; see /openapi.json`);
  }
}

export class UnauthorizedError extends NinesError {
  constructor(message: string) {
    super('ERR_UNAUTHORIZED', 401, 'Unauthorized', message);
  }
}
