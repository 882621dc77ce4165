import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one metrics registry of a process, made in `main` and passed to everything that
 * declares metrics, so tests can run several services in one process without clashes.
 */
export function createRegistry(service: string, labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  // Every series of the process carries these (a broker's `shard` too). Set once, here:
  // prom-client's setDefaultLabels replaces whatever was set before.
  registry.setDefaultLabels({ service, ...labels });
  // The event-loop-delay monitor samples on a timer, and an idle process pays for every
  // tick. Measured in an idle process (15 s after start, 10 s of process.cpuUsage):
  // prom-client's default 10 ms tick ~7 ms of CPU per second, 50 ms 1.36 ms/s, 200 ms 0.35,
  // 1 s 0.09, none 0.04 — times the six processes of a stack. 500 ms still sees every stall
  // long enough to matter against a 500 ms SLA (a timer due every 500 ms falls inside it).
  collectDefaultMetrics({ register: registry, prefix: 'nines_', eventLoopMonitoringPrecision: 500 });
  return registry;
}

