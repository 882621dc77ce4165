/**
 * A deployment nines did not start, as a system under test (harness/model/system-under-test.ts):
 * load goes to its api URL, tenants are made through its admin API, network faults go to
 * the proxies its target file lists, and stopping it stops nothing.
 */
import { Toxiproxy } from 'toxiproxy-node-client';
import type { SystemUnderTest } from '../model/system-under-test.ts';
import { FaultTargetError } from './targets.ts';
import { TargetError, type TargetFile } from './target-file.ts';

/** Checks that the target answers (api /healthz, Prometheus /-/ready when named) and wraps it. */
export async function targetSystem(t: TargetFile): Promise<SystemUnderTest> {
  const probe = async (what: string, url: string) => {
    const r = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((err: unknown) => {
      throw new TargetError(`target ${t.name}: ${what} at ${url} does not answer: ${(err as Error).message}`);
    });
    if (!r.ok) throw new TargetError(`target ${t.name}: ${what} at ${url} answered ${r.status}`);
  };
  await probe('the api', `${t.apiUrl.replace(/\/+$/, '')}/healthz`);
  if (t.prometheusUrl) await probe('Prometheus', `${t.prometheusUrl.replace(/\/+$/, '')}/-/ready`);
  const client = t.toxiproxy ? new Toxiproxy(t.toxiproxy.url) : undefined;
  return {
    kind: 'target',
    apiUrl: t.apiUrl,
    adminUrl: t.adminUrl,
    adminToken: t.adminToken,
    shards: 1,
    toxiproxy: client && { url: t.toxiproxy!.url, client, reset: () => client.reset() },
    async resolve(aim) {
      throw new FaultTargetError(`a target gives nines no control of its processes (fault aimed at ${aim.target})`);
    },
    async proxiesFor(aim) {
      const names = t.toxiproxy?.proxies[aim.path];
      if (!names) throw new FaultTargetError(`target ${t.name} lists no Toxiproxy proxy for path ${aim.path}`);
      return names;
    },
    leaderEpoch: async () => 0,
    dispatchEvents: () => [],
    stop: async () => undefined, // not ours to stop
  };
}
