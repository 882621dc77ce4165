/**
 * Slow clients (slowloris): connections that send their request a byte a second, half of
 * them trickling the headers, half sending whole headers and then trickling a declared
 * body. Each holds whatever the server gives a connection for as long as the server lets
 * it; a server that defends itself cuts them by timeouts. This records how many were cut,
 * when, and how many were still open at the end. It judges nothing (harness/sla does).
 */
import net from 'node:net';

export interface SlowClientsOptions {
  url: string;
  connections: number;
  /** The request line's path (a POST is sent there). */
  path: string;
  /** Authorization header value, so the slow requests are a tenant's, not anonymous. */
  authorization?: string;
  /** How long to keep them going, ms. */
  durationMs: number;
  /** Opened over this long, ms (default 1,000), not all in one burst. */
  rampMs?: number;
}

export interface SlowClientsResult {
  opened: number;
  /** Connections the server closed (or answered) before the end. */
  cut: number;
  /** Median and maximum seconds from open to cut, over the cut ones. */
  cutAfterS: { p50: number | null; max: number | null };
  /** Status lines the server answered with before cutting, by status. */
  answered: Record<string, number>;
  /** Never connected (refused or failed to connect). */
  failedToConnect: number;
  stillOpen: number;
}

interface Slow {
  sock: net.Socket;
  openedAt: number;
  cutAt?: number;
  rest: Buffer;
  status?: string;
}

/** Runs the slow clients for `durationMs` and resolves with what happened to them. */
export async function runSlowClients(o: SlowClientsOptions): Promise<SlowClientsResult> {
  const { hostname, port } = new URL(o.url);
  const all: Slow[] = [];
  let failedToConnect = 0;
  const t0 = performance.now();
  const rampMs = o.rampMs ?? 1000;
  const open = (i: number) => {
    const head = `POST ${o.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: image/jpeg\r\n${o.authorization ? `Authorization: ${o.authorization}\r\n` : ''}`;
    // Even: trickle the headers from the start. Odd: whole headers, then trickle a body.
    const trickleHeaders = i % 2 === 0;
    const s: Slow = { sock: net.connect(Number(port), hostname), openedAt: performance.now(), rest: Buffer.alloc(0) };
    s.rest = trickleHeaders ? Buffer.from(`${head}X-Slow: ${'z'.repeat(4096)}\r\n\r\n`) : Buffer.alloc(100_000, 0xff);
    s.sock.once('connect', () => {
      if (!trickleHeaders) s.sock.write(`${head}Content-Length: ${s.rest.length}\r\n\r\n`);
    });
    s.sock.on('data', (d) => (s.status ??= /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1'))?.[1] ?? 'other'));
    s.sock.on('error', () => {
      if (!s.sock.remoteAddress && s.cutAt === undefined) failedToConnect++;
    });
    s.sock.on('close', () => (s.cutAt ??= performance.now()));
    all.push(s);
  };
  const opener = setInterval(() => {
    const due = Math.min(o.connections, Math.ceil(((performance.now() - t0) / rampMs) * o.connections));
    while (all.length < due) open(all.length);
    if (all.length >= o.connections) clearInterval(opener);
  }, 20);
  // One byte a second from each open connection.
  const drip = setInterval(() => {
    for (const s of all) {
      if (s.cutAt !== undefined || s.rest.length === 0 || s.sock.connecting) continue;
      s.sock.write(s.rest.subarray(0, 1));
      s.rest = s.rest.subarray(1);
    }
  }, 1000);
  await new Promise((r) => setTimeout(r, o.durationMs));
  clearInterval(opener);
  clearInterval(drip);
  const end = performance.now();
  const cut = all.filter((s) => s.cutAt !== undefined && s.cutAt < end);
  for (const s of all) s.sock.destroy();
  const secs = cut.map((s) => (s.cutAt! - s.openedAt) / 1000).sort((a, b) => a - b);
  const answered: Record<string, number> = {};
  for (const s of cut) if (s.status) answered[s.status] = (answered[s.status] ?? 0) + 1;
  const round = (x: number | undefined) => (x === undefined ? null : Math.round(x * 10) / 10);
  return {
    opened: all.length,
    cut: cut.length,
    cutAfterS: { p50: round(secs[Math.floor(secs.length / 2)]), max: round(secs[secs.length - 1]) },
    answered,
    failedToConnect,
    stillOpen: all.length - cut.length,
  };
}
