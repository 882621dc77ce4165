/**
 * `--engine k6`: drive a scenario's load with a k6 binary instead of the nines engine, and
 * turn k6's per-sample JSON output into the same History the checkers judge. k6 is never
 * installed by nines (its Go module is AGPL); when it is not on PATH the caller gets
 * ERR_K6_MISSING and the advice to export the script and run it where k6 is.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createReadStream } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { FaultWindow, History } from '../load/history.ts';
import { profileDurationS } from '../load/profile.ts';
import type { Scenario } from '../model/scenario.ts';
import type { K6Config } from './config.ts';
import { K6MissingError, K6RunError } from './errors.ts';
import { writeK6Export } from './export.ts';
import { K6HistoryBuilder } from './points.ts';
import { readK6Summary, type K6Summary } from './summary.ts';

/** k6's exit code when the run completed but a threshold failed (a verdict, not a crash). */
export const K6_THRESHOLDS_FAILED = 99;
/** k6's exit code when it was interrupted by a signal and stopped gracefully. */
export const K6_INTERRUPTED = 105;

export interface RunWithK6Options {
  /** The scenario the script was exported from: names, seed and profile length of the History. */
  scenario: Scenario;
  /** The script was exported with `quick` (its History then has the quick profile's length). */
  quick?: boolean;
  /** Run directory: the script and its config.json, k6.json (samples) and summary.json (k6's summary) go here. */
  outDir: string;
  baseUrl: string;
  /** Passed in the child's environment, never on its command line (where `ps` shows it). */
  apiKey: string;
  /** PATH to search for k6 (default process.env.PATH). */
  pathEnv?: string;
  /** Extra `k6 run` arguments, e.g. ['--quiet']. */
  args?: string[];
  /** k6's own output, line by line (progress and warnings). */
  onOutput?: (line: string) => void;
  /** Fault windows as nines ran them alongside, recorded in the History. */
  faults?: FaultWindow[];
  /** Aborting interrupts k6 (SIGINT); what it recorded until then is still converted. */
  signal?: AbortSignal;
}

export interface K6RunResult {
  history: History;
  exitCode: number;
  /** k6's own threshold verdict (exit 99); nines' checkers judge the History separately. */
  thresholdsFailed: boolean;
  scriptPath: string;
  configPath: string;
  samplesPath: string;
  summaryPath: string;
  /** k6's own summary (its threshold verdicts and stats), also recorded in the History's settings as `k6Thresholds`. */
  summary: K6Summary;
}

/** The k6 executable on `pathEnv` (default PATH), or undefined when there is none. */
export function findK6(pathEnv: string | undefined = process.env.PATH): string | undefined {
  const names = process.platform === 'win32' ? ['k6.exe', 'k6'] : ['k6'];
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

async function readSamples(file: string, builder: K6HistoryBuilder): Promise<void> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) builder.add(line);
}

/**
 * Runs the static script with `config` (from k6Config) under k6 and returns the run as a History. Throws
 * K6MissingError (ERR_K6_MISSING) when k6 is not on PATH, K6RunError (ERR_K6_FAILED) when
 * k6 exits without completing the test. Failed thresholds are a result, not an error.
 */
export async function runWithK6(config: K6Config, opts: RunWithK6Options): Promise<K6RunResult> {
  const k6 = findK6(opts.pathEnv ?? process.env.PATH);
  if (!k6) throw new K6MissingError(opts.pathEnv ?? process.env.PATH ?? '');
  const outDir = resolve(opts.outDir);
  const { scriptPath, configPath } = writeK6Export(outDir, config);
  const samplesPath = join(outDir, 'k6.json');
  const summaryPath = join(outDir, 'summary.json');

  const args = ['run', '--no-usage-report', '--include-system-env-vars', '--summary-export', summaryPath, '--out', `json=${samplesPath}`, ...(opts.args ?? []), scriptPath];
  const child = spawn(k6, args, {
    cwd: outDir,
    // NINES_CONFIG is set, not inherited, so a stray one in the environment cannot swap the config.
    env: { ...process.env, BASE_URL: opts.baseUrl, API_KEY: opts.apiKey, NINES_CONFIG: configPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last lines say why k6 failed, if it does; keep a bounded tail, not the whole log.
  const tail: string[] = [];
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    opts.onOutput?.(line);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);

  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    child.kill('SIGINT');
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await new Promise((res, rej) => {
      child.once('error', rej);
      child.once('close', (code, signal) => res({ code, signal }));
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  const completed = exit.code === 0 || exit.code === K6_THRESHOLDS_FAILED || (aborted && exit.code === K6_INTERRUPTED);
  if (!completed) throw new K6RunError(exit.code, exit.signal, tail.join('\n'));

  const builder = new K6HistoryBuilder();
  await readSamples(samplesPath, builder);
  const summary = readK6Summary(summaryPath);
  const profile = opts.quick && opts.scenario.quick ? opts.scenario.quick.profile : opts.scenario.load.profile;
  const history = builder.finish({
    scenario: opts.scenario.name,
    seed: opts.scenario.seed,
    durationS: profileDurationS(profile),
    settings: { k6Binary: k6, k6ExitCode: exit.code, k6Thresholds: summary.thresholds, baseUrl: opts.baseUrl, profile, quick: Boolean(opts.quick), timeoutMs: opts.scenario.load.timeoutMs },
    ...(opts.faults ? { faults: opts.faults } : {}),
  });
  return { history, exitCode: exit.code!, thresholdsFailed: exit.code === K6_THRESHOLDS_FAILED, scriptPath, configPath, samplesPath, summaryPath, summary };
}
