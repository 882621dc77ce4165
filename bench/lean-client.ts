/**
 * A deliberately lean HTTP/1.1 client for the throughput benchmark: keep-alive sockets, the
 * same prebuilt request bytes written with one write per request, and only enough response
 * parsing to find the status and skip the body.
 *
 * Why not undici: the load generator shares the machine's 2 cores with the stack it
 * measures, so every millisecond it spends is taken from the stack. undici cost ~1.5–2 ms of
 * CPU per 829 KB upload here (bench/cpu-split.ts); this costs a fraction of that. Real
 * clients do not run on the servers, so the leaner the generator, the truer the figure.
 * The latency benchmark and the harness keep the full engine (harness/load).
 */
import net from 'node:net';

export interface LeanTarget {
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  /** POST this body; absent: a GET (thumbor loads its images from disk). */
  body?: Buffer;
}

export class LeanConnection {
  private socket!: net.Socket;
  private readonly request: Buffer;
  private pending: ((status: number) => void) | undefined;
  private failPending: ((err: Error) => void) | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private need = -1; // body bytes still to skip; -1 while reading headers
  private status = 0;

  constructor(private readonly t: LeanTarget) {
    const line = t.body ? [`POST ${t.path} HTTP/1.1`, `content-length: ${t.body.length}`] : [`GET ${t.path} HTTP/1.1`];
    const head = [...line, `host: ${t.host}:${t.port}`, ...Object.entries(t.headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    this.request = Buffer.concat([Buffer.from(head, 'latin1'), t.body ?? Buffer.alloc(0)]);
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.buf = Buffer.alloc(0);
      this.need = -1;
      this.socket = net.connect(this.t.port, this.t.host, () => resolve());
      this.socket.setNoDelay(true);
      this.socket.once('error', reject);
      this.socket.on('error', (err) => this.failPending?.(err));
      this.socket.on('close', () => this.failPending?.(new Error('connection closed')));
      this.socket.on('data', (d) => this.onData(d));
    });
  }

  /** Sends the request and resolves with the response status once the body is read. */
  send(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending = resolve;
      this.failPending = reject;
      this.socket.write(this.request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (this.need < 0) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      this.status = Number(head.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!m) throw new Error(`response without content-length: ${head.split('\r\n')[0]}`);
      this.need = Number(m[1]);
      this.buf = this.buf.subarray(end + 4);
    }
    if (this.buf.length < this.need) return;
    this.buf = this.buf.subarray(this.need);
    this.need = -1;
    const done = this.pending;
    this.pending = undefined;
    this.failPending = undefined;
    done?.(this.status);
  }
}

export interface ClosedLoopResult {
  ok: number;
  errors: number;
}

/**
 * `inFlight` connections each sending `t`'s request back to back for `durationS` seconds
 * (a closed loop: enough requests in flight keep the worker busy). A failed connection is
 * counted as an error and reopened. Given several targets (one server process each), the
 * connections are dealt out among them in turn.
 */
export async function closedLoop(target: LeanTarget | LeanTarget[], durationS: number, inFlight: number): Promise<ClosedLoopResult> {
  const targets = Array.isArray(target) ? target : [target];
  const until = performance.now() + durationS * 1000;
  const r: ClosedLoopResult = { ok: 0, errors: 0 };
  await Promise.all(
    Array.from({ length: inFlight }, async (_, i) => {
      const c = new LeanConnection(targets[i % targets.length]!);
      await c.connect();
      try {
        while (performance.now() < until) {
          try {
            if ((await c.send()) === 200) r.ok++;
            else r.errors++;
          } catch {
            r.errors++;
            c.close();
            await c.connect();
          }
        }
      } finally {
        c.close();
      }
    }),
  );
  return r;
}
