/**
 * The stored scenario runs (`<dir>/<scenario>/<stamp>/report.json`, as `nines scenario`
 * writes them) as the chaos history: newest first, each decoded through a schema tolerant
 * of fields added later (capacity, fencing, …), an unreadable one counted, never fatal.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunSummary } from './schema.ts';

/** The members of report.json (harness/report/model.ts) the dashboard reads; the rest pass through. */
const storedReport = z.looseObject({
  scenario: z.string(),
  startedAt: z.string(),
  verdict: z.enum(['PASS', 'FAIL', 'UNKNOWN']),
  definition: z.looseObject({ kind: z.string().optional() }).nullish(),
  figures: z.looseObject({
    faults: z.array(z.looseObject({ name: z.string(), startS: z.number(), endS: z.number().nullable() })).default([]),
    durationS: z.number().default(0),
    measurements: z.record(z.string(), z.number()).default({}),
  }),
  failover: z.looseObject({ seconds: z.number().nullable(), lostAccepted: z.number() }).optional(),
});

/** A run folder's name (runs/<scenario>/<stamp>): what may appear in a URL the dashboard serves. */
export const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const dirs = (p: string): string[] => {
  try {
    return readdirSync(p).filter((n) => SEGMENT.test(n) && statSync(join(p, n)).isDirectory());
  } catch {
    return [];
  }
};

/** Every run under `runsDir` with a readable report.json, newest first; `unreadable` counts the others. */
export function listRuns(runsDir: string): { runs: RunSummary[]; unreadable: number } {
  const runs: RunSummary[] = [];
  let unreadable = 0;
  for (const scenario of dirs(runsDir)) {
    for (const stamp of dirs(join(runsDir, scenario))) {
      const file = join(runsDir, scenario, stamp, 'report.json');
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue; // a run still in progress has no report.json yet
      }
      const r = storedReport.safeParse(raw);
      if (r.success) runs.push(summaryOf(r.data, scenario, stamp));
      else unreadable++;
    }
  }
  runs.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  return { runs, unreadable };
}

function summaryOf(r: z.infer<typeof storedReport>, scenario: string, stamp: string): RunSummary {
  const t0 = Date.parse(r.startedAt) / 1000;
  const end = r.figures.durationS;
  return {
    scenario: r.scenario,
    stamp,
    kind: r.definition?.kind ?? null,
    startedAt: r.startedAt,
    verdict: r.verdict,
    failoverSeconds: r.failover?.seconds ?? r.figures.measurements.failoverSeconds ?? null,
    requestsLost: r.failover?.lostAccepted ?? r.figures.measurements.lostAccepted ?? null,
    faults: r.figures.faults.map((f) => ({ name: f.name, from: t0 + f.startS, to: t0 + (f.endS ?? end) })),
    reportUrl: `runs/${encodeURIComponent(scenario)}/${encodeURIComponent(stamp)}/report.html`,
  };
}
