/**
 * Counting for the availability SLO, the same definition the Prometheus rules use
 * (dashboards/slos.ts): a request answered 4xx was refused because of what the client
 * sent or how fast it sent it, which is the service working as promised, so it counts as
 * good. Failed means 5xx, a timeout, a reset or a refused connection; dropped requests stay
 * unavailable. Before this, an overload run in which every refusal was a correct 429 read
 * "availability 11 %, 88,933 % of the error budget".
 */
import type { SecondBucket } from '../load/history.ts';
import { secondCounts, totals, type Counts } from './series.ts';

/** `http_4xx` failure kinds: the client's. */
export const isClientError = (kind: string): boolean => /^http_4\d\d$/.test(kind);

/** One second's counts with its 4xx answers moved from failed to ok. */
export function sloCounts(b: SecondBucket): Counts {
  const c = secondCounts(b);
  let client = 0;
  for (const [kind, n] of Object.entries(b.failed ?? {})) if (isClientError(kind)) client += n;
  return { ...c, ok: c.ok + client, failed: c.failed - client };
}

/** sloCounts summed over the given seconds. */
export const sloTotals = (seconds: readonly SecondBucket[]): Counts => totals(seconds, sloCounts);
