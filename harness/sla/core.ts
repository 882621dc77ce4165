/**
 * Checker composition, after Jepsen's `check-safe` and `compose`: an exception inside a
 * checker becomes `unknown` (never a pass, never a crash that loses the other results),
 * and a composition is only as valid as its worst member.
 */
import type { History } from '../load/history.ts';
import type { Checker, CheckResult, SlaVerdict, Verdict } from './types.ts';

const VERDICTS: readonly unknown[] = [true, false, 'unknown'];

/** Merges verdicts: false if any is false, else unknown if any is unknown, else true (true for none). */
export function mergeVerdicts(verdicts: Iterable<Verdict>): Verdict {
  let merged: Verdict = true;
  for (const v of verdicts) {
    if (v === false) return false;
    if (v !== true) merged = 'unknown';
  }
  return merged;
}

/** Wraps a checker so that a throw, or a result without a proper verdict, yields `unknown` with a reason. */
export function checkSafe(checker: Checker): Checker {
  return {
    name: checker.name,
    ...(checker.threshold === undefined ? {} : { threshold: checker.threshold }),
    check(history: History): CheckResult {
      const base = { name: checker.name, ...(checker.threshold === undefined ? {} : { threshold: checker.threshold }) };
      let r: CheckResult;
      try {
        r = checker.check(history);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        return { ...base, valid: 'unknown', reason: `checker threw: ${msg}` };
      }
      // A buggy checker returning `valid: 1` or nothing must not read as a pass downstream.
      if (r === null || typeof r !== 'object' || !VERDICTS.includes(r.valid)) {
        return { ...base, valid: 'unknown', reason: 'checker returned no verdict' };
      }
      return { ...base, ...r };
    },
  };
}

/** A checker over many: runs each (made safe) and merges their verdicts with mergeVerdicts. */
export function compose(checkers: readonly Checker[]): { check(history: History): SlaVerdict } {
  const safe = checkers.map(checkSafe);
  return {
    check(history: History): SlaVerdict {
      const results = safe.map((c) => c.check(history));
      return { valid: mergeVerdicts(results.map((r) => r.valid)), results };
    },
  };
}
