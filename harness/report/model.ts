/** The shape of report.json, shared by the writer and the page renderer. */
import type { CheckResult, Verdict } from '../sla/types.ts';
import type { Figures } from './figures.ts';

export type VerdictLabel = 'PASS' | 'FAIL' | 'UNKNOWN';

export interface Report {
  /** Bumped when a field changes meaning, so the dashboard can read old runs. */
  format: 'nines.report/1';
  scenario: string;
  seed: number;
  startedAt: string;
  settings: Record<string, unknown>;
  /** The scenario as run (topology, load, faults, SLAs), when the caller passed it. */
  definition: unknown;
  valid: Verdict;
  verdict: VerdictLabel;
  checks: CheckResult[];
  figures: Figures;
  /** Scenario-specific members from `extra`, e.g. `failover: { seconds, lostAccepted }`. */
  [extra: string]: unknown;
}

/** The exit code of a command that judged a run: 0 every SLA held, 99 one failed, 2 one could not be judged. */
export function verdictExitCode(v: Verdict): 0 | 99 | 2 {
  return v === true ? 0 : v === false ? 99 : 2;
}

/** The label a person reads for a verdict. */
export function verdictLabel(v: Verdict): VerdictLabel {
  return v === true ? 'PASS' : v === false ? 'FAIL' : 'UNKNOWN';
}
