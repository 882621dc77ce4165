import { createServer, IncomingMessage, ServerResponse, type Server, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { UnauthorizedError } from './problem.ts';

export interface Listening {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** The express app behind `handler` when `handler` is a front of it (system/api/shed.ts). */
  app?: RequestListener;
  /** Handles requests that sent `Expect: 100-continue` (node then leaves the 100 to it). */
  checkContinue?: RequestListener;
}

/** Listens on host:port (port 0 picks a free one) and resolves with the bound port. */
export async function listen(handler: RequestListener, host: string, port: number, opts: ListenOptions = {}): Promise<Listening> {
  const app = opts.app ?? handler;
  const server = createServer(isExpressApp(app) ? expressMessageClasses(app) : {}, handler);
  if (opts.checkContinue) server.on('checkContinue', opts.checkContinue);
  // Keep-alive longer than typical client pools so idle sockets are not cut under them.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Connections still busy after a grace period are cut, so shutdown is bounded.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}

interface ExpressLike {
  request: object;
  response: object;
}

const isExpressApp = (h: unknown): h is RequestListener & ExpressLike =>
  typeof h === 'function' && typeof (h as Partial<ExpressLike>).request === 'object' && typeof (h as Partial<ExpressLike>).response === 'object';

/**
 * Request and response classes whose instances are born with the express app's prototypes.
 *
 * Why: express gives every request and response the app's prototypes with
 * `Object.setPrototypeOf` as it starts handling them. V8 then moves each object to a new
 * hidden class (and its prototype chain to dictionary mode), so the property accesses on
 * every request and response run megamorphic and slow, in express, in node:http and in our
 * handlers alike. Created with the app's prototypes already, `setPrototypeOf` finds nothing
 * to change. Measured on the api (bench/RESULTS.md): 12 of 12 alternating rounds cheaper,
 * median CPU per 829 KB resize request 3.97 -> 3.57 ms.
 */
function expressMessageClasses(app: ExpressLike) {
  // node:http's classes are plain constructor functions, so a subclass can call them on
  // `this` and keep its own prototype.
  type Init = (this: object, ...args: unknown[]) => void;
  const base = { req: IncomingMessage as unknown as Init, res: ServerResponse as unknown as Init };
  function Request(this: IncomingMessage, socket: unknown) {
    base.req.call(this, socket);
  }
  Request.prototype = app.request;
  function Response(this: ServerResponse, req: unknown, options: unknown) {
    base.res.call(this, req, options);
  }
  Response.prototype = app.response;
  return { IncomingMessage: Request as unknown as typeof IncomingMessage, ServerResponse: Response as unknown as typeof ServerResponse };
}

/** Constant-time comparison of a presented secret against the expected one. */
export function secretEquals(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Guards internal and admin routes with a shared bearer token. */
export function requireToken(token: string, what: string): RequestHandler {
  return (req, _res, next) => {
    const presented = bearerOf(req.headers.authorization);
    if (!presented || !secretEquals(presented, token)) {
      next(new UnauthorizedError(`a valid ${what} bearer token is required`));
      return;
    }
    next();
  };
}

/** `GET /metrics` for a registry. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res, next) => {
    try {
      res.type(registry.contentType).send(await registry.metrics());
    } catch (err) {
      next(err);
    }
  };
}
