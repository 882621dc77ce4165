/**
 * The checker's vocabulary (Jepsen's `checker.clj`): a checker is a pure function from a
 * run's history to a result whose `valid` is `true`, `false`, or `'unknown'` when the
 * history cannot support a verdict either way (no traffic, a size class with no samples,
 * a run too short to judge). `unknown` is never a pass: a stakeholder must see it.
 */
import type { History } from '../load/history.ts';

export type Verdict = true | false | 'unknown';

export interface CheckResult {
  name: string;
  valid: Verdict;
  /** Why the result is not a plain pass: what failed, or why it cannot be judged. */
  reason?: string;
  /** The figure compared against the threshold; a record when there is more than one. */
  observed?: number | Record<string, unknown>;
  /** The bound as a human reads it, e.g. `p(99)<500 ms`. */
  threshold?: string;
}

export interface Checker {
  /** Stable and unique within a composition: the report's table row. */
  name: string;
  /** Shown even when the checker throws, so the row still says what was promised. */
  threshold?: string;
  check(history: History): CheckResult;
}

/** Every checker's result and the merged verdict over them. */
export interface SlaVerdict {
  valid: Verdict;
  results: CheckResult[];
}
