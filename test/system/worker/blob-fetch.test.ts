/**
 * The worker's in-place HTTP client for claim checks, against the api's real blob server
 * (system/api/blob-store.ts) on loopback: bytes arrive intact, connections are reused,
 * a server that drops an idle connection costs nothing, and every failure has its code.
 */
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { BlobStore } from '../../../system/api/blob-store.ts';
import { BufferPool } from '../../../system/lib/buffer-pool.ts';
import { BlobFetcher } from '../../../system/worker/blob-fetch.ts';

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

/** `taken`: what the api answers a reply (false: no request waits for it any more). */
async function blobServer(taken = true) {
  const pool = new BufferPool(1 << 24);
  const replies: Buffer[] = [];
  const store = new BlobStore(pool, '', undefined, (frame) => (replies.push(Buffer.from(frame)), taken));
  const server = createServer(store.handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  store.setBaseUrl(`http://127.0.0.1:${port}`);
  let connections = 0;
  server.on('connection', () => connections++);
  const put = (id: string, bytes: Buffer) => {
    const b = pool.acquire(bytes.length);
    bytes.copy(b);
    const claim = store.put(id, b);
    pool.release(b); // the store holds it now
    return claim;
  };
  return { store, put, port, server, replies, connections: () => connections };
}

const soon = () => Date.now() + 5000;

/** A fetcher with its own pool, closed when the test ends. */
function fetcher(t: TestContext): BlobFetcher {
  const f = new BlobFetcher(new BufferPool(1 << 24));
  t.after(() => f.close());
  return f;
}

test('images of many sizes arrive byte for byte, over one reused connection', async (t) => {
  const s = await blobServer();
  const f = fetcher(t);
  for (const [i, size] of [1, 100, 16_383, 16_384, 65_536, 829_183, 3_000_001].entries()) {
    const bytes = randomBytes(size);
    const got = await f.fetch(s.put(`j${i}`, bytes), soon());
    assert.ok(got.equals(bytes), `size ${size}`);
  }
  assert.equal(s.connections(), 1, 'keep-alive: one connection for every fetch in turn');
});

test('concurrent fetches each get their own bytes', async (t) => {
  const s = await blobServer();
  const f = fetcher(t);
  const images = Array.from({ length: 8 }, () => randomBytes(200_000 + Math.floor(Math.random() * 100_000)));
  const got = await Promise.all(images.map((b, i) => f.fetch(s.put(`c${i}`, b), soon())));
  got.forEach((g, i) => assert.ok(g.equals(images[i]!), `image ${i}`));
});

test('a connection the server closed while idle is replaced without an error', async (t) => {
  const s = await blobServer();
  const f = fetcher(t);
  const a = randomBytes(70_000);
  assert.ok((await f.fetch(s.put('k1', a), soon())).equals(a));
  s.server.closeIdleConnections(); // as a keep-alive timeout or a restart would
  await new Promise((r) => setTimeout(r, 50));
  const b = randomBytes(70_000);
  assert.ok((await f.fetch(s.put('k2', b), soon())).equals(b));
  assert.equal(s.connections(), 2);
});

test('a settled job is GONE, a wrong token or a dead port is UNREACHABLE', async (t) => {
  const s = await blobServer();
  const f = fetcher(t);
  const claim = s.put('g1', randomBytes(1000));
  s.store.remove('g1');
  await assert.rejects(f.fetch(claim, soon()), { code: 'ERR_BLOB_GONE' });
  const c2 = s.put('g2', randomBytes(1000));
  await assert.rejects(f.fetch({ ...c2, token: 'wrong' }, soon()), (e: Error & { code: string }) => e.code === 'ERR_BLOB_UNREACHABLE' && /401/.test(e.message));
  await assert.rejects(f.fetch({ ...c2, bytes: 999 }, soon()), { code: 'ERR_BLOB_UNREACHABLE' }, 'a length that disagrees with the claim is refused');
  await assert.rejects(f.fetch({ ...c2, url: 'http://127.0.0.1:1/blobs/g2' }, soon()), { code: 'ERR_BLOB_UNREACHABLE' });
  // The connection survives a refused fetch and still serves the next one.
  const ok = randomBytes(5000);
  assert.ok((await f.fetch(s.put('g3', ok), soon())).equals(ok));
});

test('a server that never answers is given up on at the deadline', async (t) => {
  const silent = createServer(() => undefined); // accepts, never responds
  servers.push(silent);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as AddressInfo).port;
  const f = fetcher(t);
  const started = performance.now();
  await assert.rejects(f.fetch({ url: `http://127.0.0.1:${port}/blobs/x`, token: 't', bytes: 10 }, Date.now() + 300), { code: 'ERR_BLOB_UNREACHABLE' });
  const took = performance.now() - started;
  assert.ok(took >= 250 && took < 3000, `gave up after ${took.toFixed(0)} ms`);
});

test('a result PUT back on the claim reaches the api; after the job settles it is gone', async (t) => {
  const s = await blobServer();
  const f = fetcher(t);
  const claim = s.put('r1', randomBytes(80_000));
  await f.fetch(claim, soon());
  const frame = randomBytes(25_000);
  assert.equal(await f.reply(claim, frame, soon()), 'delivered');
  assert.equal(s.replies.length, 1);
  assert.ok(s.replies[0]!.equals(frame), 'the frame arrived byte for byte');
  await assert.rejects(f.reply({ ...claim, token: 'wrong' }, frame, soon()), { code: 'ERR_BLOB_UNREACHABLE' });
  s.store.remove('r1');
  assert.equal(await f.reply(claim, frame, soon()), 'gone');
  assert.equal(s.replies.length, 1);
  assert.equal(s.connections(), 1, 'fetch and replies shared one keep-alive connection');
});

test('a reply the api does not take (nobody waits for it) is gone, so the worker acks it itself', async (t) => {
  const s = await blobServer(false);
  const f = fetcher(t);
  const claim = s.put('r2', randomBytes(80_000));
  assert.equal(await f.reply(claim, randomBytes(1000), soon()), 'gone');
  assert.equal(s.replies.length, 1, 'the api saw the reply');
});
