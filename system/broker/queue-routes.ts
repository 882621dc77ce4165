/**
 * The broker's handler for each queue topic (router.ts looks them up). Acks, wherever they
 * ride, go through one function: counted when the queue held the job under the current epoch.
 */
import type { Client } from 'aedes';
import { decodeFrame, decodeJson, FrameError, splitBodies } from '../lib/wire.ts';
import { isApiReply, isUsageAck, topics, type Principal } from '../lib/topics.ts';
import { ackListSchema, creditSchema, replyBatchSchema, submissionSchema, type Ack, type Credit } from '../lib/jobs.ts';
import type { JobQueue } from './queue.ts';
import type { Route } from './router.ts';
import type { BrokerMetrics } from './metrics.ts';

export interface RouteDeps {
  queue: JobQueue;
  /** The epoch this broker leads under, or undefined while it does not lead. */
  epochNow(): number | undefined;
  /** A worker's credit message arrived on `client` (the broker learns which connection the worker uses). */
  onCredit(workerId: string, credit: Credit, client: Client): void;
  m: BrokerMetrics;
}

export function queueRoutes(d: RouteDeps): Route[] {
  const applyAcks = (p: Principal, acks: readonly Ack[] | undefined) => {
    if (!acks?.length) return;
    const epoch = d.epochNow();
    let n = 0;
    for (const a of acks) if (a.epoch === epoch && d.queue.ack(p, a.jobId)) n++;
    d.m.outcome.acked.inc(n);
  };
  return [
    {
      name: 'submit',
      role: 'api',
      matches: (topic) => topic === topics.submit,
      handle(p, payload) {
        const { header, body } = decodeFrame(payload, submissionSchema);
        const bodies = splitBodies(body, header.jobs);
        const stranger = header.jobs.find((j) => j.replyTo !== p.id);
        if (stranger) throw new FrameError(`replyTo ${stranger.replyTo} is not the publisher ${p.id}`);
        applyAcks(p, header.acks);
        d.m.outcome.accepted.inc(header.jobs.length);
        // A job alone in its frame keeps the frame: its dispatch rewrites the header in place.
        const alone = header.jobs.length === 1 ? payload : undefined;
        header.jobs.forEach(({ bytes: _bytes, ...job }, i) => d.queue.submit(job, bodies[i]!, alone));
        return 'consume';
      },
    },
    {
      name: 'acks',
      role: 'api',
      matches: (topic) => topic === topics.jobAcks,
      handle(p, payload) {
        applyAcks(p, decodeJson(payload, ackListSchema).acks);
        return 'consume';
      },
    },
    {
      name: 'credit',
      role: 'worker',
      matches: (topic, p) => topic === topics.workerCredit(p.id),
      handle(p, payload, client) {
        const credit = decodeJson(payload, creditSchema);
        applyAcks(p, credit.acks);
        d.onCredit(p.id, credit, client);
        return 'consume';
      },
    },
    {
      // A worker's replies pass through on their way to the api server: they are the jobs'
      // acks (the api will have them), and may carry the worker's new credit, which saves
      // two messages per job on the busiest path.
      name: 'reply',
      role: 'worker',
      matches: isApiReply,
      handle(p, payload, client) {
        const { header, body } = decodeFrame(payload, replyBatchSchema);
        splitBodies(body, header.replies);
        applyAcks(p, header.replies);
        applyAcks(p, header.acks);
        if (header.grant) d.onCredit(p.id, { grant: header.grant }, client);
        return 'deliver';
      },
    },
    // Usage traffic only passes through; the usage service and the api decode it.
    { name: 'usage-batch', role: 'api', matches: (topic) => topic === topics.usageBatches, handle: () => 'deliver' },
    { name: 'usage-ack', role: 'usage', matches: isUsageAck, handle: () => 'deliver' },
  ];
}
