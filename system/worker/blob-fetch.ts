/**
 * The worker's side of the claim check (system/api/blob-store.ts): fetches a job's image
 * from the api server that holds it, straight into a pooled buffer.
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
  /** Bytes of the body read into `dest` (status 200) — always the full Content-Length. */
  bytes: number;
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
        buffer: () => (this.state === 'body' && this.status === 200 ? this.dest.subarray(this.at, this.length) : this.scratch),
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

  /** GET `path` into `dest` (which must be exactly the expected body size). */
  get(path: string, host: string, token: string, dest: Buffer, timeoutMs: number): Promise<Response> {
    this.state = 'head';
    this.head = Buffer.alloc(0);
    this.dest = dest;
    this.at = 0;
    this.length = 0;
    this.status = 0;
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
      this.socket.write(`GET ${path} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\n\r\n`, 'latin1');
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
      const length = Number(headers.get('content-length'));
      if (!m || !Number.isInteger(length)) return this.protocolError(`unexpected response: ${lines[0]}`);
      this.status = Number(m[1]);
      this.keepAlive = (headers.get('connection') ?? '').toLowerCase() !== 'close';
      if (this.status === 200 && length !== this.dest.length) return this.protocolError(`Content-Length ${length}, claim says ${this.dest.length}`);
      this.length = this.status === 200 ? length : Math.min(length, HEAD_MAX);
      this.state = 'body';
      const early = this.head.subarray(end + 4);
      this.head = Buffer.alloc(0);
      if (this.status === 200) this.at = early.copy(this.dest, 0, 0, Math.min(early.length, this.length));
      else {
        this.head = Buffer.from(early.subarray(0, this.length));
        this.at = this.head.length;
      }
    } else if (this.state === 'body') {
      if (this.status === 200) this.at += n; // already in place
      else {
        this.head = Buffer.concat([this.head, buf.subarray(0, n)]);
        this.at = this.head.length;
      }
    } else {
      return; // bytes outside a request: nothing to do with them
    }
    if (this.state === 'body' && this.at >= this.length) {
      const r: Response = { status: this.status, bytes: this.at, text: this.status === 200 ? '' : this.head.toString('utf8') };
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
    const u = new URL(claim.url);
    if (u.protocol !== 'http:') throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `unsupported claim URL ${claim.url}`);
    const dest = this.pool.acquire(claim.bytes);
    // A kept-alive connection can be closed by the server just as we reuse it; one retry on a
    // fresh connection covers that without hiding a real outage.
    for (let attempt = 1; ; attempt++) {
      const reused = this.take(u.host);
      const conn = reused ?? this.open(u);
      try {
        await conn.ready;
        const r = await conn.get(u.pathname, u.host, claim.token, dest, Math.max(1, deadline - Date.now()));
        if (conn.usable) this.putBack(conn);
        else this.drop(conn);
        if (r.status === 200) return dest;
        this.pool.release(dest);
        if (r.status === 404) throw new BlobFetchError('ERR_BLOB_GONE', 'the api server no longer holds this job');
        throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `${claim.url} answered ${r.status}: ${r.text.slice(0, 200)}`);
      } catch (cause) {
        if (cause instanceof BlobFetchError) throw cause;
        this.drop(conn);
        if (reused && attempt === 1) continue;
        this.pool.release(dest);
        throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `cannot fetch ${claim.url}: ${(cause as Error).message}`, { cause });
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
