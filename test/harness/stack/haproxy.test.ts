/**
 * The repository's HAProxy configuration (deploy/haproxy/haproxy.cfg), checked by HAProxy
 * itself and run for real in front of a backend that holds every request: it sheds with a
 * problem+json 503 carrying Retry-After once the backend is at its maxconn, and it refuses
 * a declared oversize upload from its head, before a client that asked
 * `Expect: 100-continue` sends a byte of the body.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haproxyConfigDir, haproxyEnv, renderHaproxyConfig, startHaproxy } from '../../../harness/stack/haproxy.ts';
import { tool } from '../../../harness/stack/tools.ts';

const checkConfig = (file: string, env: Record<string, string>) => execFileSync(tool('haproxy'), ['-c', '-f', file], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });

test('haproxy -c accepts the shipped file as is and as the harness renders it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-haproxy-'));
  try {
    const env = haproxyEnv(18080, 18081, { serverMaxConn: 8 });
    assert.match(checkConfig(join(haproxyConfigDir, 'haproxy.cfg'), env), /Configuration file is valid/);
    const rendered = renderHaproxyConfig(dir, ['127.0.0.1:9001', '127.0.0.1:9002']);
    assert.match(checkConfig(rendered, env), /Configuration file is valid/);
    assert.match(readFileSync(rendered, 'utf8'), /server api2 127\.0\.0\.1:9002 check\n$/);
    // Each error page is a whole HTTP response whose Content-Length is its body's length.
    for (const page of ['503.http', '504.http', '408.http']) {
      const [head, body] = readFileSync(join(dir, 'errors', page), 'latin1').split('\r\n\r\n') as [string, string];
      assert.match(head, /\r\nContent-Type: application\/problem\+json\r\n/, page);
      assert.equal(Number(/Content-Length: (\d+)/.exec(head)?.[1]), Buffer.byteLength(body), page);
      assert.equal(JSON.parse(body).status, Number(page.slice(0, 3)), page);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A backend that answers its health checks and holds every other request until released. */
async function holdingBackend() {
  const held: ServerResponse[] = [];
  let bodyBytes = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    if (req.url === '/readyz' || req.url === '/healthz') return void res.end('{"status":"ok"}');
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    addr: `127.0.0.1:${port}`,
    held,
    get bodyBytes() {
      return bodyBytes;
    },
    close: () => {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** HAProxy with the shipped configuration in front of a holding backend, both stopped after the test. */
async function heldBehindHaproxy(t: TestContext, limits?: Parameters<typeof startHaproxy>[2]) {
  const backend = await holdingBackend();
  const dir = mkdtempSync(join(tmpdir(), 'nines-haproxy-'));
  const lb = await startHaproxy(dir, [backend.addr], limits);
  t.after(async () => {
    await lb.stop();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { backend, lb };
}

test('a saturated backend: HAProxy answers 503 problem+json with Retry-After from its queue, while the backend still holds its request', async (t) => {
  const { backend, lb } = await heldBehindHaproxy(t, { serverMaxConn: 1 });
  const first = fetch(`${lb.url}/v1/resize`, { method: 'POST', body: 'x' }).catch(() => undefined);
  // Bounded wait for the first request to occupy the backend's only slot.
  for (let i = 0; i < 100 && backend.held.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(backend.held.length, 1, 'the first request reached the backend');

  const res = await fetch(`${lb.url}/v1/resize`, { method: 'POST', body: 'y' });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  assert.equal(res.headers.get('retry-after'), '1');
  const problem = (await res.json()) as { code: string; status: number };
  assert.deepEqual([problem.code, problem.status], ['ERR_OVERLOADED', 503]);
  // Refused from the queue (timeout queue), not after the held request: it is still held.
  assert.equal(backend.held.length, 1);
  assert.equal(backend.held[0]!.writableEnded, false);
  void first;
});

/** Sends a request head only and returns the first response head HAProxy writes back. */
function headOnly(url: string, head: string): Promise<{ response: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () => sock.write(head));
    let got = '';
    const timer = setTimeout(() => (sock.destroy(), reject(new Error(`no answer to the head; got ${JSON.stringify(got)}`))), 5000);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n') && /Content-Length: (\d+)/i.test(got)) {
        clearTimeout(timer);
        sock.end();
        resolve({ response: got, closed: false });
      }
    });
    sock.on('error', reject);
  });
}

test('a declared 30 MB upload with Expect: 100-continue gets 413 problem+json, and its body is never sent', async (t) => {
  const { backend, lb } = await heldBehindHaproxy(t);
  const bytes = 30 * 1024 * 1024;
  const { port } = new URL(lb.url);
  const head = `POST /v1/resize?width=100 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: image/jpeg\r\nContent-Length: ${bytes}\r\nExpect: 100-continue\r\n\r\n`;
  const { response } = await headOnly(lb.url, head);
  assert.match(response, /^HTTP\/1\.1 413 /, 'the first thing back is the refusal, not 100 Continue');
  assert.doesNotMatch(response, /100 Continue/);
  assert.match(response, /content-type: application\/problem\+json/i);
  assert.equal(JSON.parse(response.split('\r\n\r\n')[1]!).code, 'ERR_BODY_TOO_LARGE');
  assert.equal(backend.held.length, 0, 'the api never saw the request');
  assert.equal(backend.bodyBytes, 0);
});

test("a key the api refused for its rate is refused by HAProxy itself until Retry-After, and the api's hint is not passed on", async (t) => {
  let seen = 0;
  const server = createServer((req, res) => {
    if (req.url === '/readyz' || req.url === '/healthz') return void res.end('{"status":"ok"}');
    seen++;
    res.writeHead(429, { 'Content-Type': 'application/problem+json', 'Retry-After': '2', 'X-Nines-Refuse-Key-S': '2' }).end('{"code":"ERR_RATE_LIMITED"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const dir = mkdtempSync(join(tmpdir(), 'nines-haproxy-'));
  const lb = await startHaproxy(dir, [`127.0.0.1:${(server.address() as net.AddressInfo).port}`]);
  t.after(async () => {
    await lb.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
  const send = (key: string) => fetch(`${lb.url}/v1/resize`, { method: 'POST', body: 'x', headers: { authorization: `Bearer ${key}` } });
  const first = await send('loud');
  assert.equal(first.status, 429);
  assert.equal(first.headers.get('x-nines-refuse-key-s'), null, 'the hint to HAProxy is stripped');
  await first.arrayBuffer();
  const second = await send('loud');
  assert.equal(second.status, 429);
  assert.equal(second.headers.get('content-type'), 'application/problem+json');
  assert.equal(second.headers.get('retry-after'), '1');
  assert.equal(((await second.json()) as { code: string }).code, 'ERR_RATE_LIMITED');
  assert.equal(seen, 1, 'the second request never reached the api');
  // Another key is not affected.
  await (await send('quiet')).arrayBuffer();
  assert.equal(seen, 2);
});

test('a heavy key that finds requests already queued gets its 503 at once; a light key still queues for a slot', async (t) => {
  const { backend, lb } = await heldBehindHaproxy(t, { serverMaxConn: 1 });
  const send = (key: string) =>
    fetch(`${lb.url}/v1/resize`, { method: 'POST', body: 'x', headers: { authorization: `Bearer ${key}` } })
      .then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), detail: ((await r.json()) as { detail: string }).detail }))
      .catch(() => undefined);
  void send('heavy'); // takes the backend's only slot, and keeps it
  for (let i = 0; i < 100 && backend.held.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(backend.held.length, 1);
  // 120 at once from one key: the first 50 a second pass as a light key would and wait out
  // the queue timeout; past 50/s the key is heavy, and while those wait it is refused at once.
  const outcomes = await Promise.all(Array.from({ length: 120 }, () => send('heavy')));
  const details = outcomes.map((o) => (o?.status === 503 && o.retryAfter === '1' ? o.detail : `unexpected ${JSON.stringify(o)}`));
  const atOnce = details.filter((d) => d.includes('already waiting')).length;
  const fromQueue = details.filter((d) => d === 'every api server is at its limit; retry after 1 s').length;
  assert.equal(atOnce + fromQueue, 120, details.find((d) => d.startsWith('unexpected')));
  assert.ok(atOnce >= 50, `refused at once: ${atOnce}, after the queue timeout: ${fromQueue}`);
  assert.ok(fromQueue >= 1, 'the light requests queued before the key turned heavy');
  // A light key is not refused at once, even now: it queues (and here times out from the queue).
  const light = await send('light');
  assert.equal(light?.detail, 'every api server is at its limit; retry after 1 s');
  assert.equal(backend.held.length, 1);
});
