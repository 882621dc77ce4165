import { Registry } from 'prom-client';
import { registerProcessMetrics } from './process-metrics.ts';

/**
 * The one metrics registry of a process, made in `main` and passed to everything that
 * declares metrics, so tests can run several services in one process without clashes.
 */
export function createRegistry(service: string, labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  // Every series of the process carries these (a broker's `shard` too). Set once, here:
  // prom-client's setDefaultLabels replaces whatever was set before.
  registry.setDefaultLabels({ service, ...labels });
  registerProcessMetrics(registry, { prefix: 'nines_', eventLoopResolutionMs: 1000 });
  return registry;
}

