/**
 * The entry point: a scenario's SLA list and a run's history in, a verdict out.
 */
import type { History } from '../load/history.ts';
import { availabilityChecker } from './checkers/availability.ts';
import { capacityChecker } from './checkers/capacity.ts';
import { fencingChecker } from './checkers/fencing.ts';
import { droppedChecker } from './checkers/dropped.ts';
import { errorBudgetChecker } from './checkers/error-budget.ts';
import { errorsChecker } from './checkers/errors.ts';
import { latencyChecker } from './checkers/latency.ts';
import { measurementChecker } from './checkers/measurement.ts';
import { recoveryChecker } from './checkers/recovery.ts';
import { compose } from './core.ts';
import { parseSlas, type Sla } from './spec.ts';
import type { Checker, SlaVerdict } from './types.ts';

/** The checker for one validated SLA. */
export function checkerFor(sla: Sla): Checker {
  switch (sla.metric) {
    case 'latency':
      return latencyChecker(sla);
    case 'errors':
      return errorsChecker(sla);
    case 'dropped':
      return droppedChecker(sla);
    case 'availability':
      return availabilityChecker(sla);
    case 'recovery':
      return recoveryChecker(sla);
    case 'errorBudget':
      return errorBudgetChecker(sla);
    case 'measurement':
      return measurementChecker(sla);
    case 'capacity':
      return capacityChecker(sla);
    case 'fencing':
      return fencingChecker(sla);
  }
}

/** Checkers for validated SLAs, with duplicate names made unique (` #2`, …) so report rows stay distinct. */
export function checkersFor(slas: readonly Sla[]): Checker[] {
  const seen = new Map<string, number>();
  return slas.map((s) => {
    const c = checkerFor(s);
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c : { ...c, name: `${c.name} #${n}`, check: (h: History) => ({ ...c.check(h), name: `${c.name} #${n}` }) };
  });
}

/** Judges a history against a scenario's SLAs; throws SlaSpecError for a bad spec, never for a bad run. */
export function checkSlas(history: History, slas: unknown): SlaVerdict {
  return compose(checkersFor(parseSlas(slas))).check(history);
}
