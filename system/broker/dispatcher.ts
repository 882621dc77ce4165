/**
 * The queue's transport over aedes: a dispatch is one frame per worker, written straight to
 * the worker's connection (the broker knows it from the worker's credit message, so aedes's
 * topic matching is skipped); refusals are coalesced per api server into one reply frame.
 *
 * Every dispatch frame is logged as one line, `{ event: 'dispatch', shard, epoch, worker,
 * jobIds, t }`: the harness proves from these lines that no two brokers of a shard ever
 * dispatched under a valid epoch at the same time (harness/sla/fencing.ts).
 */
import type { Logger } from 'pino';
import { encodeBatch, setFrameHeader } from '../lib/wire.ts';
import { topics } from '../lib/topics.ts';
import { MAX_BATCH, type Dispatch, type WireReply } from '../lib/jobs.ts';
import { Coalescer } from '../lib/coalescer.ts';
import type { QueuedJob, QueueTransport } from './queue.ts';
import type { BrokerMetrics } from './metrics.ts';

/** What the dispatcher needs of the broker. */
export interface DispatchDeps {
  shard: number;
  retryAfterS: number;
  epochNow(): number | undefined;
  /** Writes to one worker's connection; false when it has none. */
  toWorker(workerId: string, topic: string, payload: Buffer): boolean;
  /** Publishes through aedes's routing (to an api server's reply topic). */
  publish(topic: string, payload: Buffer): void;
  log: Logger;
  m: BrokerMetrics;
}

export function dispatcher(d: DispatchDeps): QueueTransport {
  const rejections = new Coalescer<string, WireReply>((apiId, replies) => d.publish(topics.apiReply(apiId), encodeBatch({ replies }, [])), MAX_BATCH);
  return {
    send(workerId, jobs) {
      const epoch = d.epochNow();
      if (epoch === undefined) return; // deposed: the new leader gets the jobs from their api servers
      const header: Dispatch = { epoch, jobs: jobs.map((j) => ({ ...j.header, attempt: j.attempt, bytes: j.body.length })) };
      d.log.info({ event: 'dispatch', shard: d.shard, epoch, worker: workerId, jobIds: jobs.map((j) => j.header.jobId), t: Date.now() });
      d.m.frames.inc();
      d.m.outcome.dispatched.inc(jobs.length);
      // Unsent (the worker just left): the queue takes the jobs back when its disconnect lands.
      d.toWorker(workerId, topics.workerJobs(workerId), frameOf(header, jobs));
    },
    refuse(job, reason) {
      d.m.outcome[refusalOutcome[reason]].inc();
      const epoch = d.epochNow();
      if (epoch === undefined) return;
      rejections.add(job.header.replyTo, { type: 'rejected', jobId: job.header.jobId, epoch, reason, retryAfterS: d.retryAfterS, bytes: 0 });
    },
  };
}

const refusalOutcome = { queue_full: 'refused_queue_full', no_workers: 'refused_no_workers', too_many_attempts: 'failed' } as const;

/** A lone job that came alone keeps its frame (a large image is not copied); otherwise one new frame. */
function frameOf(header: Dispatch, jobs: QueuedJob[]): Buffer {
  const only = jobs.length === 1 ? jobs[0]! : undefined;
  if (only?.frame && only.body.length > 0) return setFrameHeader(only.frame, header);
  return encodeBatch(header, jobs.map((j) => j.body));
}
