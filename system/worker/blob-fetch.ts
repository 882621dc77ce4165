/**
 * The worker's side of the claim check (system/api/blob-store.ts): fetches a job's image
 * from the api server that holds it, straight into a pooled buffer, and hands the result
 * back to the same server over the same connection.
 *
 * The wire is plain HTTP/1.1 (`GET /blobs/<jobId>`, keep-alive; curl can fetch a claim),
 * but the client is our own, over `net` with `onread`: the kernel copies the body directly
 * into its final buffer. A general-purpose client (undici or node:http) hands the body over
 * as a stream of freshly allocated 64 KiB chunks and costs ~2–2.5 ms of CPU per 829 KB
 * image on this project's machines, about a tenth of the resize itself; reading in place
 * leaves essentially the kernel's copy.
 *
 * One request at a time per connection (no pipelining), so a response ends exactly at its
 * Content-Length and the next read belongs to the next response.
 */
import net from 'node:net';
import type { BlobClaim } from '../lib/jobs.ts';
import type { BufferPool } from '../lib/buffer-pool.ts';

export class BlobFetchError extends Error {
  constructor(
    /** GONE: the api no longer waits for this job (finished or timed out); UNREACHABLE: anything else. */
    readonly code: 'ERR_BLOB_GONE' | 'ERR_BLOB_UNREACHABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const HEAD_MAX = 16 * 1024;

interface Response {
  status: number;
  /** The first bytes of a non-200 body (a problem+json document), for the error message. */
  text: string;
}

/** One keep-alive connection that reads response bodies in place. */
class BlobConnection {
  private readonly socket: net.Socket;
  private readonly scratch = Buffer.allocUnsafe(HEAD_MAX);
  private head: Buffer = Buffer.alloc(0);
  private state: 'connecting' | 'idle' | 'head' | 'body' | 'closed' = 'connecting';
  private dest: Buffer = this.scratch;
  private at = 0; // body bytes received
  private length = 0; // body Content-Length
  private keepAlive = true;
  private status = 0;
  /** A GET answered 200: the body goes straight into `dest`. */
  private inPlace = false;
  private method = 'GET';
  private settle: ((err: Error | undefined, r?: Response) => void) | undefined;
  readonly ready: Promise<void>;

  constructor(
    readonly key: string,
    host: string,
    port: number,
    private readonly onIdleClose: (c: BlobConnection) => void,
  ) {
    this.socket = net.connect({
      host,
      port,
      onread: {
        // Called before every read: where the kernel should put the next bytes.
        buffer: () => (this.state === 'body' && this.inPlace ? this.dest.subarray(this.at, this.length) : this.scratch),
        callback: (n, buf) => {
          this.onRead(n, buf);
          return true; // keep reading
        },
      },
    });
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => {
        this.state = 'idle';
        resolve();
      });
      this.socket.once('error', reject);
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      const wasIdle = this.state === 'idle';
      this.fail(new Error('connection closed by the api server'));
      this.state = 'closed';
      if (wasIdle) this.onIdleClose(this);
    });
  }

  get usable(): boolean {
    return this.state === 'idle' && this.keepAlive;
  }

  /**
   * One request: a GET whose 200 body is read into `dest` (which must be exactly the
   * expected size), or a PUT of `body` whose (small) answer is returned as text.
   */
  request(method: 'GET' | 'PUT', path: string, host: string, token: string, io: { dest?: Buffer; body?: Buffer }, timeoutMs: number): Promise<Response> {
    this.state = 'head';
    this.method = method;
    this.head = Buffer.alloc(0);
    this.dest = io.dest ?? this.scratch;
    this.at = 0;
    this.length = 0;
    this.status = 0;
    this.inPlace = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`no complete response within ${timeoutMs} ms`));
        this.socket.destroy();
      }, timeoutMs);
      this.settle = (err, r) => {
        clearTimeout(timer);
        this.settle = undefined;
        if (err) reject(err);
        else resolve(r!);
      };
      const head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\n`;
      if (!io.body) this.socket.write(`${head}\r\n`, 'latin1');
      else {
        this.socket.cork();
        this.socket.write(`${head}content-type: application/octet-stream\r\ncontent-length: ${io.body.length}\r\n\r\n`, 'latin1');
        this.socket.write(io.body);
        this.socket.uncork();
      }
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.keepAlive = false;
    this.settle?.(err);
  }

  private onRead(n: number, buf: Uint8Array): void {
    if (this.state === 'head') {
      this.head = Buffer.concat([this.head, buf.subarray(0, n)]);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.head.length > HEAD_MAX) this.protocolError('response head too large');
        return;
      }
      const lines = this.head.toString('latin1', 0, end).split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const status = Number(m?.[1]);
      // 204 and 304 have no body by definition; everything else from our server has a length.
      const length = status === 204 || status === 304 ? 0 : Number(headers.get('content-length'));
      if (!m || !Number.isInteger(length)) return this.protocolError(`unexpected response: ${lines[0]}`);
      this.status = status;
      this.keepAlive = (headers.get('connection') ?? '').toLowerCase() !== 'close';
      this.inPlace = this.method === 'GET' && status === 200;
      if (this.inPlace && length !== this.dest.length) return this.protocolError(`Content-Length ${length}, claim says ${this.dest.length}`);
      this.length = this.inPlace ? length : Math.min(length, HEAD_MAX);
      this.state = 'body';
      const early = this.head.subarray(end + 4);
      this.head = Buffer.alloc(0);
      if (this.inPlace) this.at = early.copy(this.dest, 0, 0, Math.min(early.length, this.length));
      else {
        this.head = Buffer.from(early.subarray(0, this.length));
        this.at = this.head.length;
      }
    } else if (this.state === 'body') {
      if (this.inPlace) this.at += n; // already in place
      else {
        this.head = Buffer.concat([this.head, buf.subarray(0, n)]);
        this.at = this.head.length;
      }
    } else {
      return; // bytes outside a request: nothing to do with them
    }
    if (this.state === 'body' && this.at >= this.length) {
      const r: Response = { status: this.status, text: this.inPlace ? '' : this.head.toString('utf8') };
      this.state = 'idle';
      this.settle?.(undefined, r);
    }
  }

  private protocolError(why: string): void {
    this.fail(new Error(why));
    this.socket.destroy();
  }
}

export class BlobFetcher {
  private readonly idle = new Map<string, BlobConnection[]>();
  private readonly all = new Set<BlobConnection>();

  constructor(private readonly pool: BufferPool) {}

  /**
   * The image, in a buffer from the pool that the caller releases when done with it.
   * Gives up at the job's deadline: after that nobody waits for the answer.
   */
  async fetch(claim: BlobClaim, deadline: number): Promise<Buffer> {
    const dest = this.pool.acquire(claim.bytes);
    try {
      const r = await this.exchange(claim, 'GET', { dest }, deadline);
      if (r.status === 200) return dest;
      if (r.status === 404) throw new BlobFetchError('ERR_BLOB_GONE', 'the api server no longer holds this job');
      throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `${claim.url} answered ${r.status}: ${r.text.slice(0, 200)}`);
    } catch (err) {
      this.pool.release(dest);
      throw err;
    }
  }

  /**
   * Hands the reply frame straight to the api server that holds the claim (`PUT` on the
   * same resource), so the result does not pass through the broker either. Resolves
   * 'delivered', or 'gone' when the api no longer waits for the job; throws BlobFetchError
   * when the api cannot be reached, and the caller sends the reply through the broker.
   */
  async reply(claim: BlobClaim, frame: Buffer, deadline: number): Promise<'delivered' | 'gone'> {
    const r = await this.exchange(claim, 'PUT', { body: frame }, deadline);
    if (r.status === 204) return 'delivered';
    if (r.status === 404) return 'gone';
    throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `${claim.url} answered ${r.status}: ${r.text.slice(0, 200)}`);
  }

  private async exchange(claim: BlobClaim, method: 'GET' | 'PUT', io: { dest?: Buffer; body?: Buffer }, deadline: number) {
    const u = new URL(claim.url);
    if (u.protocol !== 'http:') throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `unsupported claim URL ${claim.url}`);
    // A kept-alive connection can be closed by the server just as we reuse it; one retry on a
    // fresh connection covers that without hiding a real outage. (A repeated PUT is harmless:
    // the api drops a second reply for the same job.)
    for (let attempt = 1; ; attempt++) {
      const reused = this.take(u.host);
      const conn = reused ?? this.open(u);
      try {
        await conn.ready;
        const r = await conn.request(method, u.pathname, u.host, claim.token, io, Math.max(1, deadline - Date.now()));
        if (conn.usable) this.putBack(conn);
        else this.drop(conn);
        return r;
      } catch (cause) {
        this.drop(conn);
        if (reused && attempt === 1) continue;
        throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `cannot reach ${claim.url}: ${(cause as Error).message}`, { cause });
      }
    }
  }

  async close(): Promise<void> {
    for (const c of this.all) c.close();
    this.all.clear();
    this.idle.clear();
  }

  private open(u: URL): BlobConnection {
    const c = new BlobConnection(u.host, u.hostname, Number(u.port || 80), (closed) => this.drop(closed));
    c.ready.catch(() => undefined); // observed by fetch; never unhandled
    this.all.add(c);
    return c;
  }

  private take(key: string): BlobConnection | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const c = list.pop()!;
      if (c.usable) return c;
      this.drop(c);
    }
    return undefined;
  }

  private putBack(c: BlobConnection): void {
    let list = this.idle.get(c.key);
    if (!list) this.idle.set(c.key, (list = []));
    list.push(c);
  }

  private drop(c: BlobConnection): void {
    c.close();
    this.all.delete(c);
    const list = this.idle.get(c.key);
    const i = list?.indexOf(c) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  }
}
