/** The SLA checker's public surface: judge a history, and the series the report draws. */
export type { Checker, CheckResult, SlaVerdict, Verdict } from './types.ts';
export { checkSafe, compose, mergeVerdicts } from './core.ts';
export { parseThreshold, holds, type Threshold, type Aggregation, type Operator } from './threshold.ts';
export { parseSlas, type Sla, type SlaSpec } from './spec.ts';
export { SlaSpecError, ThresholdSyntaxError } from './errors.ts';
export { checkSlas, checkerFor, checkersFor } from './check.ts';
export {
  percentilesOverTime,
  throughputOverTime,
  totals,
  failuresByKind,
  sizeClasses,
  mergedLatency,
  type LatencyPoint,
  type ThroughputPoint,
  type Counts,
} from './series.ts';
export { slidingAvailability } from './checkers/availability.ts';
export { errorBudgetShare, type BudgetShare } from './checkers/error-budget.ts';
export { faultEpisodes } from './checkers/recovery.ts';
