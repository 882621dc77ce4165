/**
 * Error budget: with an SLO of 99.9 % a month may hold 0.1 % unavailability (43.2 min in
 * a 30-day month). A run whose failure rate f were sustained for a month would spend
 * f / (1 − slo) of that budget: 0.05 % failures spend 50 %. Failures here are the
 * complement of availability: failed and dropped requests over scheduled ones.
 */
import type { History } from '../../load/history.ts';
import { fmt, pct, round } from '../format.ts';
import { sloTotals } from '../slo-counts.ts';
import type { ErrorBudgetSla } from '../spec.ts';
import type { Checker, CheckResult } from '../types.ts';

const MONTH_MINUTES = 30 * 24 * 60;

export interface BudgetShare {
  /** (failed + dropped) / scheduled, 4xx answers not failed (slo-counts.ts). */
  failureRate: number;
  /** failureRate / (1 − slo): the share of the monthly budget this rate would spend. */
  share: number;
  budgetMinutesPerMonth: number;
  /** Minutes of unavailability a month at this failure rate. */
  minutesPerMonthAtThisRate: number;
}

/** The share of a monthly error budget this run's failure rate would spend; null when nothing was scheduled. */
export function errorBudgetShare(history: History, slo: number): BudgetShare | null {
  const c = sloTotals(history.seconds); // 4xx are the client's: not failures
  if (c.scheduled === 0) return null;
  const failureRate = (c.failed + c.dropped) / c.scheduled;
  return {
    failureRate,
    share: failureRate / (1 - slo),
    budgetMinutesPerMonth: (1 - slo) * MONTH_MINUTES,
    minutesPerMonthAtThisRate: failureRate * MONTH_MINUTES,
  };
}

/** Checks that the run would spend at most maxShare of the monthly error budget; unknown without requests. */
export function errorBudgetChecker(sla: ErrorBudgetSla): Checker {
  const name = sla.label ?? `error budget · SLO ${pct(sla.slo)}`;
  const budget = (1 - sla.slo) * MONTH_MINUTES;
  const threshold = `share ≤ ${pct(sla.maxShare)} of ${fmt(budget)} min/month`;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const b = errorBudgetShare(history, sla.slo);
      if (!b) return { ...base, valid: 'unknown', reason: 'no requests in the run' };
      const observed = {
        value: round(b.share),
        unit: 'ratio',
        failureRate: round(b.failureRate),
        budgetMinutesPerMonth: round(b.budgetMinutesPerMonth),
        minutesPerMonthAtThisRate: round(b.minutesPerMonthAtThisRate),
      };
      // SLO figures like 0.999 are inexact in binary; do not fail a run on the 16th digit.
      if (b.share <= sla.maxShare * (1 + 1e-9)) return { ...base, valid: true, observed };
      return {
        ...base,
        valid: false,
        observed,
        reason: `failure rate ${pct(b.failureRate)} would spend ${pct(b.share)} of the monthly budget (${fmt(b.minutesPerMonthAtThisRate)} of ${fmt(budget)} min), more than ${pct(sla.maxShare)}`,
      };
    },
  };
}
