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
  // The event-loop-delay monitor samples on a timer; prom-client's default 10 ms tick cost
  // ~11 ms of CPU per second in every idle process (measured), 1 % of a core each, paid by
  // all six processes of a stack on the cores that resize. A 50 ms tick costs ~2.5 ms/s
  // and still sees every stall long enough to matter against a 500 ms SLA.
  collectDefaultMetrics({ register: registry, prefix: 'nines_', eventLoopMonitoringPrecision: 50 });
  return registry;
}

