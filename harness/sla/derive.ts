/**
 * The measurements a judge derives from the raw history (nemesis ops, probe requests,
 * failures) rather than trusting figures a runner wrote down: so a verdict recomputed later
 * from history.jsonl (`nines verdict`) uses today's rules on the same raw data.
 */
import type { History } from '../load/history.ts';
import { failoverOf, lostAccepted } from './failover.ts';

/** lostAccepted always; failoverSeconds when a leader-deposing fault and the probe both show it. */
export function derivedMeasurements(h: History): Record<string, number> {
  const f = failoverOf(h);
  return { lostAccepted: lostAccepted(h), ...(f && f.seconds !== null ? { failoverSeconds: f.seconds } : {}) };
}

/** The history with its derived measurements merged over the recorded ones. */
export function withDerived(h: History): History {
  return { ...h, measurements: { ...(h.measurements ?? {}), ...derivedMeasurements(h) } };
}
