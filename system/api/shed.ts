/**
 * The refusal fast path. Under a flood most requests are refused (429 over a tenant's rate or
 * in-flight limit, 503 at the server's in-flight limit), so a refusal must cost next to
 * nothing, or the refusals themselves bury the event loop and everyone waits in front of it.
 *
 * Measured before this existed (`nines scenario overload --quick`, README "Overload"): each
 * refusal went through express (routing, the error middleware, `res.send`), wrote one log
 * line, and the api's one event loop was saturated at ~2,000 requests/s; requests then
 * waited in socket buffers in front of it and refusals took p50 1.2–1.7 s. Here a
 * `POST /v1/resize` is authenticated and checked against admission before express sees
 * it; a refused one is answered from a cached body, metered, counted, and logged once a
 * second in sum. A request that would be admitted, or is not a resize, goes to express
 * unchanged (which checks everything again, so nothing is skipped).
 *
 * `Expect: 100-continue` is honoured: the same check runs before the 100, so a refused
 * client never sends its body; a declared oversize body is refused there too.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { NinesError } from '../lib/errors.ts';
import { toProblem } from '../lib/http/problem.ts';
import type { Admission } from './admission.ts';
import type { Caller } from './authenticate.ts';
import type { ApiMetrics } from './metrics.ts';
import type { UsageBatcher } from './usage-batcher.ts';
import { authenticateHeader } from './authenticate.ts';
import type { IdentityReplica } from '../identity/replica.ts';
import { BodyTooLargeError } from './errors.ts';
import { declaredSizeClass, statusClassOf } from './size-class.ts';

export interface ShedDeps {
  identity: IdentityReplica;
  admission: Admission;
  metrics: ApiMetrics;
  batcher: UsageBatcher;
  log: Logger;
  maxBodyBytes: number;
}

const RESIZE = '/v1/resize';
const isResize = (req: IncomingMessage) => req.method === 'POST' && (req.url === RESIZE || req.url!.startsWith(`${RESIZE}?`));

/** The express app behind a front door that refuses what admission would refuse, cheaply. */
export function shedding(app: RequestListener, d: ShedDeps): { request: RequestListener; checkContinue: RequestListener } {
  const bodies = new Map<string, Buffer>();
  const summary = new RefusalLog(d.log);
  const refuse = (res: ServerResponse, caller: Caller | undefined, err: NinesError, close = false) => {
    const started = performance.now();
    const requestId = randomUUID();
    // Refusals repeat the same few problems; their JSON is built once per distinct message.
    const key = `${err.code}\n${err.message}`;
    let body = bodies.get(key);
    if (!body) {
      body = Buffer.from(JSON.stringify(toProblem(err)));
      if (bodies.size < 1024) bodies.set(key, body);
    }
    const headers: Record<string, string | number> = { 'Content-Type': 'application/problem+json', 'Content-Length': body.length, 'X-Request-Id': requestId };
    if (err.retryAfterS !== undefined) headers['Retry-After'] = err.retryAfterS;
    // Refused before its 100-continue, the body was never sent and never will be: the
    // connection cannot carry another request after it, so it is closed, not kept.
    if (close) headers.Connection = 'close';
    // Over its rate, a tenant stays over it for Retry-After: HAProxy may refuse its key itself
    // until then (deploy/haproxy/haproxy.cfg strips this header). Not for the in-flight
    // limits, which free up as soon as a request finishes.
    if (err.code === 'ERR_RATE_LIMITED') headers['X-Nines-Refuse-Key-S'] = err.retryAfterS ?? 1;
    // The body of a refused upload is still coming: a client that did not ask for 100-continue
    // sent it anyway, and node reads and drops it to keep the connection (nothing is buffered).
    res.writeHead(err.statusCode, headers).end(body);
    d.metrics.requests.inc({ route: RESIZE, status: String(err.statusCode), code: err.code });
    const sizeClass = declaredSizeClass(res.req.headers['content-length']); // refused on its head: its declared size
    d.metrics.duration.observe({ route: RESIZE, status_class: statusClassOf(err.statusCode), size_class: sizeClass }, (performance.now() - started) / 1000);
    if (caller) {
      d.batcher.add({ requestId, tenantId: caller.tenantId, keyId: caller.keyId, at: new Date().toISOString(), status: err.statusCode, errorCode: err.code, inputBytes: 0, outputBytes: 0, cpuMs: 0, durationMs: 0 });
    }
    summary.count(err.code);
  };

  /** The refusal admission would give this request now, without taking a slot or a token. */
  const wouldRefuse = (req: IncomingMessage): { caller?: Caller; err: NinesError } | undefined => {
    if (!isResize(req)) return undefined;
    const caller = authenticateHeader(d.identity, req.headers.authorization);
    if (!caller) return undefined; // express answers 401 with the reason
    const err = d.admission.check(caller);
    return err ? { caller, err } : undefined;
  };

  return {
    request: (req, res) => {
      const r = wouldRefuse(req);
      if (r) return refuse(res, r.caller, r.err);
      app(req, res);
    },
    checkContinue: (req, res) => {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (isResize(req) && declared > d.maxBodyBytes) return refuse(res, authenticateHeader(d.identity, req.headers.authorization), new BodyTooLargeError(d.maxBodyBytes), true);
      const r = wouldRefuse(req);
      if (r) return refuse(res, r.caller, r.err, true);
      res.writeContinue();
      app(req, res);
    },
  };
}

/** Refusals are expected under load: one warning a second with the counts, not a line each. */
class RefusalLog {
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly log: Logger) {}

  count(code: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    this.timer ??= setTimeout(() => this.flush(), 1000).unref();
  }

  private flush(): void {
    this.timer = undefined;
    this.log.warn({ refused: Object.fromEntries(this.counts) }, 'requests refused in the last second by the fast path');
    this.counts = new Map();
  }
}
