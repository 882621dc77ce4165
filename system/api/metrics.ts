import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Every api metric, declared once with fixed label names. */
export function apiMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'nines_api_requests_total',
      help: 'Requests by route, HTTP status and error code ("" on success).',
      labelNames: ['route', 'status', 'code'] as const,
      registers: [registry],
    }),
    // The SLO rules (dashboards/prometheus/rules/slo.yml) read this: 0.5 is a bucket bound so
    // "answered within 500 ms" is exact, not interpolated; the bounds around it give the
    // dashboard's percentiles some resolution where the SLA is decided. Labels are bounded:
    // status class (not status) and size class (size-class.ts), never a tenant.
    duration: new Histogram({
      name: 'nines_api_request_duration_seconds',
      help: 'Time from request arrival to response end, by route, status class (2xx, 4xx, 5xx) and image size class (lt1mb, gte1mb, unknown, none).',
      labelNames: ['route', 'status_class', 'size_class'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    overhead: new Histogram({
      name: 'nines_api_overhead_seconds',
      help: 'Time a successful resize spent outside the queue round trip (auth, validation, sniffing, response).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers: [registry],
    }),
    roundTrip: new Histogram({
      name: 'nines_api_queue_round_trip_seconds',
      help: 'Time from publishing a job to its reply (queueing plus the resize).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'nines_api_in_flight', help: 'Admitted resize requests not yet answered.', registers: [registry] }),
  };
}
export type ApiMetrics = ReturnType<typeof apiMetrics>;
