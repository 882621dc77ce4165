/**
 * The api server's view of the queue tier: one JobClient per shard, each following its own
 * broker pair. A job goes to the connected shard with the fewest jobs pending from this api
 * server (ties in turn). Least pending rather than a hash of the job id, because jobs have no
 * affinity to keep and a shard that is failing over or slow stops draining: its pending count
 * grows, so new work flows to the others at once, while a hash would keep sending it 1/N of
 * the jobs. Each shard's pending jobs are republished to that shard's new leader when it
 * comes back (JobClient), so a failover stays inside its shard.
 */
import { readReplies, type JobClient, type Reply } from './job-client.ts';
import type { JobHeader } from '../lib/jobs.ts';

export class ShardedJobs {
  private turn = 0;

  constructor(readonly shards: readonly JobClient[]) {
    if (shards.length === 0) throw new Error('at least one queue shard');
  }

  /** True while some shard would take a job (see JobClient.available). */
  get available(): boolean {
    return this.shards.some((s) => s.available);
  }

  get pendingCount(): number {
    return this.shards.reduce((n, s) => n + s.pendingCount, 0);
  }

  submit(header: JobHeader, body: Buffer, deadlineMs: number, frame?: Buffer): Promise<Reply> {
    return this.pick().submit(header, body, deadlineMs, frame);
  }

  /** A reply a worker PUT on the blob port: settled by the shard whose request waits for it. */
  onDirectReplyFrame(frame: Buffer): boolean {
    let taken = true;
    for (const { header, body } of readReplies(frame)) {
      const shard = this.shards.find((s) => s.has(header.jobId));
      taken = (shard?.onDirectReply(header, body) ?? false) && taken;
    }
    return taken;
  }

  failAll(err: Error): void {
    for (const s of this.shards) s.failAll(err);
  }

  /** The connected shard with the fewest pending jobs; with none connected, the next in turn (it waits for its broker). */
  private pick(): JobClient {
    const n = this.shards.length;
    const start = this.turn++ % n;
    let best: JobClient | undefined;
    for (let i = 0; i < n; i++) {
      const s = this.shards[(start + i) % n]!;
      if (s.connected && (!best || s.pendingCount < best.pendingCount)) best = s;
    }
    return best ?? this.shards[start]!;
  }
}
