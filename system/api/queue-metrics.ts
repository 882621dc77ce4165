/**
 * The api's queue metrics, declared once for every shard's JobClient, each series labelled
 * with its `shard`; `queueMetrics(registry)(shard)` gives one shard its children, bound once.
 */
import { Counter, type Registry } from 'prom-client';

type Bound = ReturnType<Counter['labels']>;

export function queueMetrics(registry: Registry) {
  const jobs = new Counter({
    name: 'nines_api_queue_jobs_total',
    help: 'Jobs by shard and outcome: answered (a result or an error from a worker), rejected (the broker refused it), deadline (no answer in time), no_broker (no connection to the shard).',
    labelNames: ['shard', 'outcome'] as const,
    registers: [registry],
  });
  const replies = new Counter({
    name: 'nines_api_queue_replies_total',
    help: 'Replies from the queue by shard and outcome: matched, unknown_job (duplicate or late), stale_epoch.',
    labelNames: ['shard', 'outcome'] as const,
    registers: [registry],
  });
  const acks = new Counter({
    name: 'nines_api_job_acks_total',
    help: 'Acks sent to the broker for replies workers handed over directly, by shard and how: riding on a job submission, or alone after the ack delay.',
    labelNames: ['shard', 'via'] as const,
    registers: [registry],
  });
  const bind = <L extends string>(c: Counter<'shard' | L>, shard: number, labels: readonly string[]) =>
    Object.fromEntries(labels.map((l) => [l, c.labels(String(shard), l)])) as Record<string, Bound>;
  /** One shard's children, bound once: counting on the hot path is an add. */
  return (shard: number) => ({
    jobs: bind(jobs, shard, ['answered', 'rejected', 'deadline', 'no_broker']) as Record<'answered' | 'rejected' | 'deadline' | 'no_broker', Bound>,
    replies: bind(replies, shard, ['matched', 'unknown_job', 'stale_epoch']) as Record<'matched' | 'unknown_job' | 'stale_epoch', Bound>,
    acks: bind(acks, shard, ['submission', 'alone']) as Record<'submission' | 'alone', Bound>,
  });
}
/** The queue metrics of one shard's JobClient. */
export type QueueMetrics = ReturnType<ReturnType<typeof queueMetrics>>;
