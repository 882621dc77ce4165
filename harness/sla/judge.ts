/**
 * Judging a run from its history alone: the derived measurements (failover time, accepted
 * requests lost), every SLA's checker, and the figures the report shows beside the verdict
 * (failover, capacity, fencing). The runner and `nines verdict <run-dir>` both call this, so
 * a stored history.jsonl judges the same way the run did.
 */
import type { History } from '../load/history.ts';
import { capacity, type CapacityFigures } from './capacity.ts';
import { checkersFor } from './check.ts';
import { fencingOf } from './checkers/fencing.ts';
import { compose } from './core.ts';
import { withDerived } from './derive.ts';
import { SlaSpecError } from './errors.ts';
import { failoverOf } from './failover.ts';
import type { FencingResult } from './fencing.ts';
import { parseSlas, type Sla } from './spec.ts';
import type { SlaVerdict } from './types.ts';

/** Scenario results beside the verdict, for report.json and the console. */
export interface RunResults {
  failover?: { seconds: number | null; lostAccepted: number; shard: number };
  capacity?: CapacityFigures;
  fencing?: FencingResult;
}

export interface Judgement {
  /** The history with its derived measurements. */
  history: History;
  verdict: SlaVerdict;
  results: RunResults;
}

/** Judges `h` against `slas` (default: the SLAs the history recorded); throws SlaSpecError when there are none or they are malformed. */
export function judge(h: History, slas: unknown = h.slas): Judgement {
  if (slas === undefined) throw new SlaSpecError(['the history records no SLAs to judge it by (it was written before histories carried them)']);
  const history = withDerived(h);
  const parsed = parseSlas(slas);
  return { history, verdict: compose(checkersFor(parsed)).check(history), results: runResults(history, parsed) };
}

/** `h` has been through withDerived: its lostAccepted is already counted. */
function runResults(h: History, slas: readonly Sla[]): RunResults {
  const out: RunResults = {};
  const failover = failoverOf(h);
  if (h.probe) out.failover = { seconds: failover?.seconds ?? null, lostAccepted: h.measurements!.lostAccepted!, shard: failover?.shard ?? 0 };
  const capacitySla = slas.find((s) => s.metric === 'capacity');
  if (capacitySla?.metric === 'capacity' && h.machine) out.capacity = capacity(h, capacitySla, h.machine.cores);
  const fencing = fencingOf(h);
  if (fencing) out.fencing = fencing;
  return out;
}
