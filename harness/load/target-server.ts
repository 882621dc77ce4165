/**
 * A trivial HTTP target for testing and benchmarking the load engine itself, run as its
 * own process so it never shares the engine's event loop (or core): `node --import tsx
 * harness/load/target-server.ts [--port 0] [--stall-after N --stall-ms MS] [--fail-every N]
 * [--delay-ms MS] [--exit-on-stdin-close]`. Prints one JSON line `{"port":…}` on stdout once
 * listening; stops on SIGTERM, or when stdin closes if asked (so a server started by a
 * test never outlives it, even when the test runner is killed).
 *
 * - `--stall-after N --stall-ms MS`: the N-th request opens a window of MS ms; every
 *   request arriving inside it is held until the window ends (a GC pause, a lock, a
 *   failover — the stall an open-model engine must see and a closed-loop one hides).
 * - `--fail-every N`: every N-th request gets 503 with Retry-After.
 * - `--delay-ms MS`: every response waits MS ms.
 * - `GET /__stall?after=N&ms=MS`: arms the same stall N requests from now (so a warm-up
 *   can run first).
 * - `GET /__stats[?reset=1]`: `{ requests, firstMs, lastMs }` — how many requests arrived
 *   and when the first and last did (ms, this process's clock): the rate as the target saw
 *   it, an independent check of the engine's own accounting. Not counted itself.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'stall-after': { type: 'string', default: '0' },
    'stall-ms': { type: 'string', default: '0' },
    'fail-every': { type: 'string', default: '0' },
    'delay-ms': { type: 'string', default: '0' },
    'exit-on-stdin-close': { type: 'boolean', default: false },
  },
});
const stallAfter = Number(values['stall-after']);
const stallMs = Number(values['stall-ms']);
const failEvery = Number(values['fail-every']);
const delayMs = Number(values['delay-ms']);

const OK = Buffer.from('ok\n');
let n = 0;
let stallUntil = 0;
let stallAt = stallAfter;
let stallFor = stallMs;
const stats = { requests: 0, firstMs: 0, lastMs: 0 };

const server = createServer((req, res) => {
  if (req.url?.startsWith('/__stall')) {
    const q = new URL(req.url, 'http://x').searchParams;
    stallAt = n + Number(q.get('after') ?? 1);
    stallFor = Number(q.get('ms') ?? 1000);
    res.writeHead(204).end();
    return;
  }
  if (req.url?.startsWith('/__stats')) {
    const body = JSON.stringify(stats);
    if (req.url.includes('reset=1')) Object.assign(stats, { requests: 0, firstMs: 0, lastMs: 0 });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  const now = performance.now();
  if (stats.requests++ === 0) stats.firstMs = now;
  stats.lastMs = now;
  const seq = ++n;
  // Drain the request body (the engine may POST images) before answering.
  req.resume();
  const answer = (): void => {
    if (failEvery > 0 && seq % failEvery === 0) {
      res.writeHead(503, { 'content-type': 'text/plain', 'content-length': '12', 'retry-after': '1' });
      res.end('unavailable\n');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(OK.length) });
      res.end(OK);
    }
  };
  let wait = delayMs;
  if (stallAt > 0 && seq === stallAt) stallUntil = now + stallFor;
  const held = stallUntil - performance.now();
  if (held > 0) wait = Math.max(wait, held);
  if (wait > 0) setTimeout(answer, wait);
  else req.on('end', answer);
});
// Loopback keep-alive connections are the engine's to close; don't race it.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (values['exit-on-stdin-close']) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
