/**
 * The fencing checker: the split-brain check (harness/sla/fencing.ts) over the brokers'
 * dispatch log stored in the history, for every queue shard the topology had. A history
 * without a dispatch log (the 'local' topology has one broker and logs none), or with a log
 * that could not be read, proves nothing: `unknown`, never a pass.
 */
import type { History } from '../../load/history.ts';
import { checkFencing, unjudgedFencing, type FencingResult } from '../fencing.ts';
import type { FencingSla } from '../spec.ts';
import type { Checker, CheckResult } from '../types.ts';

/** Queue shards of the run's topology, as its settings recorded it (1 unless an 'ha' topology says more). */
export function shardsOf(h: History): number {
  const t = h.settings['topology'] as { kind?: unknown; shards?: unknown } | undefined;
  return t?.kind === 'ha' && typeof t.shards === 'number' ? t.shards : 1;
}

/** The fencing result of a history; undefined when it has no dispatch log. */
export function fencingOf(h: History): FencingResult | undefined {
  const log = h.dispatchLog;
  if (!log) return undefined;
  if ('error' in log) return unjudgedFencing(shardsOf(h), `the brokers' dispatch logs could not be read: ${log.error}`);
  return checkFencing(log.events, { shards: shardsOf(h) });
}

export function fencingChecker(sla: FencingSla): Checker {
  const name = sla.label ?? 'no split brain (dispatch epochs never overlap in any queue shard)';
  const threshold = 'one broker per epoch; no dispatch under an epoch after a newer one began';
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const f = fencingOf(history);
      if (!f) return { ...base, valid: 'unknown', reason: "this run's history has no broker dispatch log (only the 'ha' topology logs dispatches)" };
      const shards = f.shards.map((s) => ({ shard: s.shard, valid: s.valid, epochs: s.epochs.length, dispatches: s.epochs.reduce((a, e) => a + e.dispatches, 0) }));
      const reason = f.violations.join('; ') || f.reason;
      return { ...base, valid: f.valid, observed: { shards }, ...(reason && f.valid !== true ? { reason } : {}) };
    },
  };
}
