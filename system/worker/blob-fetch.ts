/**
 * The worker's side of the claim check (system/api/blob-store.ts): fetches a job's image
 * from the api server that holds it, straight into a pooled buffer.
 */
import { Agent, request } from 'undici';
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

export class BlobFetcher {
  // Keep-alive connections to each api server: a fetch per large job must not pay a TCP
  // handshake each time.
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });

  constructor(private readonly pool: BufferPool) {}

  /**
   * The image, in a buffer from the pool that the caller releases when done with it.
   * Gives up at the job's deadline: after that nobody waits for the answer.
   */
  async fetch(claim: BlobClaim, deadline: number): Promise<Buffer> {
    let res;
    try {
      res = await request(claim.url, {
        dispatcher: this.agent,
        headers: { authorization: `Bearer ${claim.token}` },
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
    } catch (cause) {
      throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `cannot reach ${claim.url}: ${(cause as Error).message}`, { cause });
    }
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      if (res.statusCode === 404) throw new BlobFetchError('ERR_BLOB_GONE', 'the api server no longer holds this job');
      throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `${claim.url} answered ${res.statusCode}`);
    }
    const buf = this.pool.acquire(claim.bytes);
    let at = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (at + chunk.length > claim.bytes) throw new Error(`more than the ${claim.bytes} bytes claimed`);
        at += chunk.copy(buf, at);
      }
      if (at !== claim.bytes) throw new Error(`${at} of the ${claim.bytes} bytes claimed`);
    } catch (cause) {
      this.pool.release(buf);
      res.body.destroy();
      throw new BlobFetchError('ERR_BLOB_UNREACHABLE', `fetching ${claim.url} failed: ${(cause as Error).message}`, { cause });
    }
    return buf;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
