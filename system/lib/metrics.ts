import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one metrics registry of a process, made in `main` and passed to everything that
 * declares metrics, so tests can run several services in one process without clashes.
 */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'nines_' });
  return registry;
}
