/**
 * What Prometheus scrapes in a running stack: every nines process at the metrics endpoint
 * it reported when it became ready, named by its process name, plus the infrastructure's
 * exporters where the topology has them.
 */
import type { ManagedProcess } from './process.ts';
import type { ScrapeJob, ScrapeTarget } from './prometheus.ts';

export interface ServiceProcesses {
  apis: ManagedProcess[];
  brokers: ManagedProcess[];
  workers: ManagedProcess[];
  usage: ManagedProcess;
  identity: ManagedProcess;
}

// api, usage and identity serve /metrics on their main port (`url`); brokers and workers on
// their HTTP port beside MQTT (`httpPort`).
function addressOf(p: ManagedProcess): string {
  const { url, httpPort } = p.info as { url?: unknown; httpPort?: unknown };
  if (typeof url === 'string') return new URL(url).host;
  if (typeof httpPort === 'number') return `127.0.0.1:${httpPort}`;
  throw new Error(`${p.spec.name} reported no metrics address (url or httpPort) when it became ready`);
}

const target = (job: ScrapeJob, p: ManagedProcess): ScrapeTarget => ({ job, instance: p.spec.name, address: addressOf(p) });

/** One target per nines process. */
export function serviceTargets(s: ServiceProcesses): ScrapeTarget[] {
  return [
    ...s.apis.map((p) => target('nines-api', p)),
    ...s.brokers.map((p) => target('nines-broker', p)),
    ...s.workers.map((p) => target('nines-worker', p)),
    target('nines-usage', s.usage),
    target('nines-identity', s.identity),
  ];
}

/** `host:port` of an `http://host:port` URL. */
export const hostOf = (url: string): string => new URL(url).host;
