/**
 * The api's queue metrics, declared once for every shard's JobClient, each series labelled
 * with its `shard`. Children are bound once per (shard, label): counting costs an add.
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
  const bound = new Map<string, Bound>();
  const child = (c: Counter<'shard' | 'outcome'> | Counter<'shard' | 'via'>, name: string, shard: number, label: string): Bound => {
    const key = `${name}/${shard}/${label}`;
    let b = bound.get(key);
    if (!b) bound.set(key, (b = c.labels(String(shard), label)));
    return b;
  };
  return {
    jobs: (shard: number, outcome: 'answered' | 'rejected' | 'deadline' | 'no_broker') => child(jobs, 'jobs', shard, outcome),
    replies: (shard: number, outcome: 'matched' | 'unknown_job' | 'stale_epoch') => child(replies, 'replies', shard, outcome),
    acks: (shard: number, via: 'submission' | 'alone') => child(acks, 'acks', shard, via),
  };
}
export type QueueMetrics = ReturnType<typeof queueMetrics>;
