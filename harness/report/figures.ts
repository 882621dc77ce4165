/**
 * The headline figures of a run for report.json and the page: requests, rates, latency
 * percentiles per size class, availability, error budget share, faults, measurements.
 * Computed with the checker's own counting rules (harness/sla/series.ts) so the report
 * and the verdict can never disagree about what a number means.
 */
import type { History } from '../load/history.ts';
import { errorBudgetShare, type BudgetShare } from '../sla/checkers/error-budget.ts';
import { round } from '../sla/format.ts';
import { sloTotals } from '../sla/slo-counts.ts';
import { denseSeconds, failuresByKind, mergedLatency, sizeClasses, totals, type Counts } from '../sla/series.ts';

export interface LatencyFigures {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface FaultFigures {
  name: string;
  startS: number;
  /** null when the fault was still active at the end of the run. */
  endS: number | null;
  durationS: number | null;
}

export interface Figures {
  durationS: number;
  requests: Counts;
  /** The mean rate the engine aimed at (`settings.targetRate`, or `settings.rate`), req/s. */
  targetRate: number | null;
  /** Completed requests (ok + failed) per second over the run. */
  achievedRate: number;
  okRate: number;
  /** ms, per size class, from the merged histograms. */
  latency: Record<string, LatencyFigures>;
  /** ok / scheduled over the whole run, 4xx counted as ok and dropped as unavailable (the SLO's definition); null without requests. */
  availability: number | null;
  errorBudget: (BudgetShare & { slo: number }) | null;
  failuresByKind: Record<string, number>;
  faults: FaultFigures[];
  measurements: Record<string, number>;
}

/** The SLO the error budget figure uses when the scenario states none: the service's 99.9 %. */
export const DEFAULT_SLO = 0.999;

/** Computes the run's headline figures; `slo` sets the budget the error budget share is taken of. */
export function computeFigures(history: History, slo = DEFAULT_SLO): Figures {
  const durationS = denseSeconds(history).length;
  const requests = totals(history.seconds);
  const latency: Record<string, LatencyFigures> = {};
  for (const c of sizeClasses(history)) {
    const h = mergedLatency(history.seconds, c);
    if (!h) continue;
    latency[c] = {
      count: h.totalCount,
      mean: round(h.mean / 1000),
      p50: round(h.getValueAtPercentile(50) / 1000),
      p90: round(h.getValueAtPercentile(90) / 1000),
      p99: round(h.getValueAtPercentile(99) / 1000),
      p999: round(h.getValueAtPercentile(99.9) / 1000),
      max: round(h.maxValue / 1000),
    };
  }
  const budget = errorBudgetShare(history, slo);
  const rate = history.settings?.['targetRate'] ?? history.settings?.['rate'];
  return {
    durationS,
    requests,
    targetRate: typeof rate === 'number' && Number.isFinite(rate) ? rate : null,
    achievedRate: durationS ? round(requests.completed / durationS) : 0,
    okRate: durationS ? round(requests.ok / durationS) : 0,
    latency,
    availability: requests.scheduled ? round(sloTotals(history.seconds).ok / requests.scheduled, 8) : null,
    errorBudget: budget && {
      slo,
      failureRate: round(budget.failureRate),
      share: round(budget.share),
      budgetMinutesPerMonth: round(budget.budgetMinutesPerMonth),
      minutesPerMonthAtThisRate: round(budget.minutesPerMonthAtThisRate),
    },
    failuresByKind: failuresByKind(history.seconds),
    faults: history.faults.map((f) => ({
      name: f.name,
      startS: f.startMs / 1000,
      endS: f.endMs === undefined ? null : f.endMs / 1000,
      durationS: f.endMs === undefined ? null : (f.endMs - f.startMs) / 1000,
    })),
    measurements: { ...(history.measurements ?? {}) },
  };
}
