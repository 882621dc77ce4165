/**
 * Writes a run's record: history.jsonl (the raw data, written first so it survives any
 * later failure), report.json (verdict and figures, for machines and the dashboard) and
 * report.html (for people). Each file is written whole under a temporary name and then
 * renamed, so a reader never sees half a report.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { History } from '../load/history.ts';
import { parseSlas } from '../sla/spec.ts';
import type { SlaVerdict } from '../sla/types.ts';
import { computeFigures, DEFAULT_SLO } from './figures.ts';
import { historyLines } from './history-file.ts';
import { renderHtml } from './html.ts';
import { verdictLabel, type Report } from './model.ts';

export interface ReportInput {
  history: History;
  verdict: SlaVerdict;
  /** The scenario as run; stored in report.json and its `slas` drive chart reference lines and the budget SLO. */
  scenario?: unknown;
  /** Scenario-specific results merged into report.json at the top level, e.g. `{ failover: { seconds, lostAccepted } }`. */
  extra?: Record<string, unknown>;
}

export interface ReportFiles {
  history: string;
  json: string;
  html: string;
  report: Report;
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

// The error budget figure uses the scenario's own SLO when it states one.
function sloOf(scenario: unknown): number {
  const slas = (scenario as { slas?: unknown } | null | undefined)?.slas;
  if (slas === undefined) return DEFAULT_SLO;
  try {
    const b = parseSlas(slas).find((s) => s.metric === 'errorBudget');
    return b?.metric === 'errorBudget' ? b.slo : DEFAULT_SLO;
  } catch {
    return DEFAULT_SLO;
  }
}

/** Builds report.json's content; throws if `extra` reuses a core field name (it would hide the verdict). */
export function buildReport(input: ReportInput): Report {
  const { history: h, verdict, scenario, extra = {} } = input;
  const core: Report = {
    format: 'nines.report/1',
    scenario: h.scenario,
    seed: h.seed,
    startedAt: h.startedAt,
    settings: h.settings ?? {},
    definition: scenario ?? null,
    valid: verdict.valid,
    verdict: verdictLabel(verdict.valid),
    checks: verdict.results,
    figures: computeFigures(h, sloOf(scenario)),
  };
  const clash = Object.keys(extra).filter((k) => Object.hasOwn(core, k));
  if (clash.length) throw new TypeError(`report extra must not redefine ${clash.join(', ')}; nest scenario results under their own key`);
  return { ...core, ...extra };
}

/** Creates `dir` and writes history.jsonl, report.json and report.html into it; returns their paths and the report. */
export async function writeReport(dir: string, input: ReportInput): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const files = { history: join(dir, 'history.jsonl'), json: join(dir, 'report.json'), html: join(dir, 'report.html') };
  await writeAtomic(files.history, historyLines(input.history).join('\n') + '\n');
  const report = buildReport(input);
  await writeAtomic(files.json, JSON.stringify(report, null, 2) + '\n');
  await writeAtomic(files.html, renderHtml(report, input.history));
  return { ...files, report };
}
