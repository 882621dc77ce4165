/**
 * The claim check: large images do not travel through the broker. The api server keeps the
 * image of a pending job here and publishes a job header that carries a claim (URL, token,
 * size); the worker the broker picks fetches the bytes straight from this server.
 *
 * Why: the broker's job is ordering and dispatch. Carrying every image through it cost a
 * socket copy in and out, plus garbage-collection work for image-sized buffers held while
 * queued (measured: ~4.5 ms of broker CPU per 829 KB image, a sixth of the whole stack's
 * cost per request on a 2-core machine). With a claim check the broker handles a few
 * hundred bytes per job whatever the image size.
 *
 * The worker hands the result back the same way (`PUT /blobs/<jobId>` with the reply
 * frame), so neither the image nor the result passes through the broker. This server, which
 * now has the result, acks the job to the broker (JobClient, on its next submission); a
 * worker whose PUT gets 404 acks the job itself.
 *
 * A claim is valid while its job is pending: the api server removes it when the job
 * settles (reply, error or deadline), so a late or duplicate fetch gets 404, and a claim
 * cannot be used by anyone who does not hold its random token (the job id alone is not a
 * secret: it is the customer-visible request id).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { bearerOf, secretEquals } from '../lib/http/server.ts';
import { toProblem } from '../lib/http/problem.ts';
import { NinesError } from '../lib/errors.ts';
import type { BlobClaim } from '../lib/jobs.ts';
import type { BufferPool } from '../lib/buffer-pool.ts';

/** Largest reply frame accepted by PUT; a larger one is refused (413) and goes through the broker. */
const MAX_REPLY_BYTES = 256 * 1024 * 1024;

interface Entry {
  body: Buffer;
  token: string;
}

const blobPath = (jobId: string) => `/blobs/${encodeURIComponent(jobId)}`;

export class BlobStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly pool: BufferPool,
    /** The base URL workers reach this server at (through a proxy, in the harness). */
    private baseUrl: string,
    private readonly served?: Counter<'outcome'>,
    /**
     * Receives a reply frame a worker PUT here (the result, skipping the broker); false
     * when no request waits for it any more, which the worker hears as 404.
     */
    private readonly onReply: (frame: Buffer) => boolean = () => true,
  ) {}

  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  /** Holds `body` for `jobId` until `remove`; returns the claim to put in the job header. */
  put(jobId: string, body: Buffer): BlobClaim {
    // 122 random bits; randomUUID draws from a cached entropy pool, randomBytes per call cost
    // more than the rest of put().
    const token = randomUUID();
    this.pool.retain(body);
    this.entries.set(jobId, { body, token });
    return { url: this.baseUrl + blobPath(jobId), token, bytes: body.length };
  }

  remove(jobId: string): void {
    const e = this.entries.get(jobId);
    if (!e) return;
    this.entries.delete(jobId);
    this.pool.release(e.body);
  }

  /** The node:http handler (no express: this path runs once per large job). */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    const m = /^\/blobs\/([^/?]+)$/.exec(req.url ?? '');
    if ((req.method !== 'GET' && req.method !== 'PUT') || !m) return this.problem(res, 404, 'ERR_NOT_FOUND', 'Not Found', 'GET or PUT /blobs/<jobId> are the only routes here');
    const e = this.entries.get(decodeURIComponent(m[1]!));
    const presented = bearerOf(req.headers.authorization);
    if (!e) return this.problem(res, 404, 'ERR_BLOB_GONE', 'Not Found', 'no pending job has this id (it finished, timed out, or never existed)');
    if (!presented || !secretEquals(presented, e.token)) return this.problem(res, 401, 'ERR_UNAUTHORIZED', 'Unauthorized', 'the claim token is missing or wrong');
    if (req.method === 'PUT') return this.acceptReply(req, res);
    // The write below still reads the buffer after this function returns: hold it until the
    // socket is done with it. A response that closes without finishing may leave the write
    // pending inside libuv, so that buffer is not handed back to the pool at all.
    const body = e.body;
    this.pool.retain(body);
    let finished = false;
    res.once('finish', () => {
      finished = true;
      this.pool.release(body);
    });
    res.once('close', () => {
      if (!finished) this.pool.forget(body);
    });
    this.served?.inc({ outcome: 'ok' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  };

  /** A worker's reply frame for a pending job: read it whole, hand it on, answer 204. */
  private acceptReply(req: IncomingMessage, res: ServerResponse): void {
    const declared = Number(req.headers['content-length']);
    if (!Number.isInteger(declared) || declared > MAX_REPLY_BYTES) {
      res.shouldKeepAlive = false;
      return this.problem(res, 413, 'ERR_BODY_TOO_LARGE', 'Content Too Large', `send a Content-Length of at most ${MAX_REPLY_BYTES} bytes`);
    }
    const frame = Buffer.allocUnsafe(declared);
    let at = 0;
    req.on('data', (chunk: Buffer) => {
      at += chunk.copy(frame, at);
    });
    req.on('end', () => {
      let taken: boolean;
      try {
        taken = this.onReply(frame.subarray(0, at));
      } catch {
        return this.problem(res, 400, 'ERR_BAD_FRAME', 'Bad Request', 'the reply is not a readable frame');
      }
      // Not taken (a duplicate, or its request just ended): the worker acks it itself.
      if (!taken) return this.problem(res, 404, 'ERR_BLOB_GONE', 'Not Found', 'no request waits for this reply any more');
      this.served?.inc({ outcome: 'reply' });
      res.writeHead(204);
      res.end();
    });
  }

  private problem(res: ServerResponse, status: number, code: string, title: string, detail: string): void {
    this.served?.inc({ outcome: status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'refused' });
    const doc = Buffer.from(JSON.stringify(toProblem(new NinesError(code, status, title, detail))));
    // A length, not chunked encoding: the worker's client reads every response by its length.
    res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': doc.length });
    res.end(doc);
  }
}
