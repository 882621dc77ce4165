/**
 * The slow clients of a scenario (`slowClients`), run beside its load for the load's whole
 * length; their outcome goes into the run's measurements (`slowClientsStillOpen`, cut
 * ones, when) and its report.
 */
import { runSlowClients, type SlowClientsResult } from '../load/slow-clients.ts';
import type { History } from '../load/history.ts';
import type { Scenario } from '../model/scenario.ts';

/** Starts them if the scenario has any; the returned function waits and records. */
export function startSlowClients(sc: Scenario, url: string, apiKey: string, durationS: number): (h: History, extra: Record<string, unknown>) => Promise<void> {
  if (!sc.slowClients) return async () => undefined;
  const running: Promise<SlowClientsResult> = runSlowClients({
    url,
    connections: sc.slowClients.connections,
    path: `/v1/resize?${sc.load.query}`,
    authorization: `Bearer ${apiKey}`,
    durationMs: durationS * 1000,
  });
  return async (h, extra) => {
    const r = await running;
    extra.slowClients = r;
    h.measurements = { ...h.measurements, slowClientsOpened: r.opened, slowClientsCut: r.cut, slowClientsStillOpen: r.stillOpen, slowClientsCutAfterMaxS: r.cutAfterS.max ?? -1 };
  };
}
