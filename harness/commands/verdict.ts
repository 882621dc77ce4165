/**
 * `nines verdict <run-dir>`: judges a stored run again from its history.jsonl alone (the
 * SLAs, nemesis ops, probe requests and dispatch log are all in it) and prints the verdict
 * and figures the way the run printed them; when the run's report.json is there, says
 * whether today's checkers agree with it. Exit 0 / 99 / 2 like `nines scenario`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readHistory } from '../report/history-file.ts';
import { verdictExitCode } from '../report/model.ts';
import { verdictLines } from '../report/text.ts';
import { judge, type Judgement } from '../sla/judge.ts';
import { out, UsageError, type Command } from './types.ts';

const help = `nines verdict — judge a stored run again from its history.jsonl alone

Usage:
  nines verdict <run-dir | history.jsonl> [--json]

Prints the verdict, one line per SLA check, and the scenario's figures (failover, capacity,
fencing), recomputed with today's checkers from the run's raw history: its requests per
second, the nemesis's fault operations, the failover probe's requests and the brokers'
dispatch log. When report.json sits beside it, also says whether it agrees with what the
run reported. Exit codes: 0 every SLA held, 99 an SLA failed, 2 unknown or an error.

Options:
  --json   print {valid, checks, results, matchesReport} as JSON instead of lines

Examples:
  nines verdict runs/broker-crash/2026-12-03T12-00-00Z
  nines verdict runs/capacity/2026-12-03T12-05-00Z/history.jsonl --json`;

/** The parts of a judgement report.json also holds, as JSON would store them. */
function comparable(j: { valid: unknown; checks: unknown; results: Record<string, unknown> }): string {
  return JSON.stringify({ valid: j.valid, checks: j.checks, results: j.results });
}

/** Whether the run's report.json says what `j` says; undefined when there is no report.json. */
function matchesReport(dir: string, j: Judgement): boolean | undefined {
  const file = join(dir, 'report.json');
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const stored = { failover: r['failover'], capacity: r['capacity'], fencing: r['fencing'] };
  const results = Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== undefined));
  return comparable({ valid: r['valid'], checks: r['checks'], results }) === comparable({ valid: j.verdict.valid, checks: j.verdict.results, results: { ...j.results } });
}

async function verdictOf(path: string, json: boolean): Promise<number> {
  const isFile = existsSync(path) && statSync(path).isFile();
  const dir = isFile ? join(path, '..') : path;
  const file = isFile ? path : join(path, 'history.jsonl');
  if (!existsSync(file)) throw new UsageError(`no history at ${file}; give a run folder (runs/<scenario>/<time>) or its history.jsonl`);
  const j = judge(await readHistory(file));
  const same = matchesReport(dir, j);
  if (json) out(JSON.stringify({ valid: j.verdict.valid, checks: j.verdict.results, results: j.results, matchesReport: same ?? null }, null, 2));
  else {
    for (const line of verdictLines(j.verdict, j.results)) out(line);
    if (same !== undefined) out(same ? "agrees with the run's report.json" : "DIFFERS from the run's report.json (the checkers changed since, or the report was edited)");
  }
  return verdictExitCode(j.verdict.valid);
}

export const command: Command = {
  name: 'verdict',
  summary: "judge a stored run again from its history.jsonl alone (exit 0 / 99 / 2)",
  help,
  async run(argv) {
    try {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
      if (positionals.length !== 1) throw new UsageError('give exactly one run folder or history.jsonl');
      return await verdictOf(positionals[0]!, !!values.json);
    } catch (err) {
      const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      console.error(`nines verdict: ${(err as Error).message}${usage ? '\n\n' + help : ''}`);
      return 2;
    }
  },
};
