import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const outcomes = ['accepted', 'refused_queue_full', 'refused_no_workers', 'dispatched', 'acked', 'redelivered', 'expired', 'failed'] as const;
export type JobOutcome = (typeof outcomes)[number];

/**
 * Every broker metric, declared once with fixed label names. Every series also carries the
 * broker's `shard` (a default label its main.ts asks runService for). Job outcomes are bound children, so
 * counting one costs an add, not a label lookup: the broker counts several per job.
 */
export function brokerMetrics(registry: Registry) {
  const jobs = new Counter({
    name: 'nines_broker_jobs_total',
    help: 'Jobs by outcome: accepted, refused_queue_full, refused_no_workers, dispatched, acked, redelivered, expired, failed.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  let epochOf: () => number | undefined = () => undefined;
  return {
    outcome: Object.fromEntries(outcomes.map((o) => [o, jobs.labels(o)])) as Record<JobOutcome, ReturnType<typeof jobs.labels>>,
    refused: new Counter({
      name: 'nines_broker_refused_messages_total',
      help: 'Messages from authenticated clients refused without delivery, by topic (submit, acks, credit, reply, unknown) and reason (malformed, error).',
      labelNames: ['topic', 'reason'] as const,
      registers: [registry],
    }),
    frames: new Counter({
      name: 'nines_broker_dispatch_frames_total',
      help: 'Messages sent to workers; nines_broker_jobs_total{outcome="dispatched"} over this is the mean batch.',
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'nines_broker_queue_depth', help: 'Jobs waiting for a worker.', registers: [registry] }),
    inflight: new Gauge({ name: 'nines_broker_inflight', help: 'Jobs dispatched and not yet acked.', registers: [registry] }),
    workers: new Gauge({ name: 'nines_broker_workers', help: 'Workers connected and ready.', registers: [registry] }),
    clients: new Gauge({ name: 'nines_broker_clients', help: 'Connected MQTT clients.', registers: [registry] }),
    // Read at scrape time: a failover shows as the standby's epoch appearing above the
    // old leader's (the dashboard's "failovers / epochs" panel), without a hook in the election.
    leaderEpoch: new Gauge({
      name: 'nines_broker_leader_epoch',
      help: 'The epoch this broker dispatches under while it leads; -1 while it stands by.',
      registers: [registry],
      collect() {
        this.set(epochOf() ?? -1);
      },
    }),
    /** Where the leader-epoch gauge reads the epoch from (the election, once it exists). */
    readEpochFrom(f: () => number | undefined) {
      epochOf = f;
    },
    queueWait: new Histogram({
      name: 'nines_broker_queue_wait_seconds',
      help: 'Time from enqueue to dispatch.',
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}
export type BrokerMetrics = ReturnType<typeof brokerMetrics>;
