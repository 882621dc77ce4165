import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Every broker metric, declared once with fixed label names. */
export function brokerMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: 'nines_broker_jobs_total',
      help: 'Jobs by outcome: accepted, refused_queue_full, refused_no_workers, dispatched, acked, redelivered, expired, failed.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'nines_broker_queue_depth', help: 'Jobs waiting for a worker.', registers: [registry] }),
    inflight: new Gauge({ name: 'nines_broker_inflight', help: 'Jobs dispatched and not yet acked.', registers: [registry] }),
    workers: new Gauge({ name: 'nines_broker_workers', help: 'Workers connected and ready.', registers: [registry] }),
    clients: new Gauge({ name: 'nines_broker_clients', help: 'Connected MQTT clients.', registers: [registry] }),
    queueWait: new Histogram({
      name: 'nines_broker_queue_wait_seconds',
      help: 'Time from enqueue to dispatch.',
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}
export type BrokerMetrics = ReturnType<typeof brokerMetrics>;
