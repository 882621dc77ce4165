/**
 * A scenario as a k6 run, for SREs who run k6 at fleet scale: the same open-model load
 * (arrival rate, not users), the same requests, and the SLAs k6 can express as thresholds.
 * Faults stay with nines: k6 has no fault timeline, so the export only reproduces load.
 *
 * The script is one static file (script/nines.k6.js); what a scenario decides goes into the
 * JSON config written beside it. The config is deterministic (no timestamps), so re-exporting
 * an unchanged scenario gives an identical file and a diff shows what a scenario change did.
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Profile, Scenario } from '../model/scenario.ts';
import { K6ExportError } from './errors.ts';
import { describeProfile, executorFor, type ExecutorPlan } from './executor.ts';
import { K6_CONFIG_FORMAT, type K6Config, type K6Image } from './config.ts';
import { FAILED_COUNTER, sizeClassOf, thresholdsFor } from './thresholds.ts';

export interface ExportK6Options {
  /** Default for the script's BASE_URL (overridden by `-e BASE_URL=…`); default http://127.0.0.1:8080. */
  baseUrl?: string;
  /** Where the scenario's fixtures are; sizes are read here, and it is the script's default IMAGES_DIR. */
  imagesDir: string;
  /** Export the scenario's `quick` profile instead of the full one (what `npm test` runs). */
  quick?: boolean;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/** The static k6 script every export ships, and the names the export writes beside each other. */
export const K6_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'script', 'nines.k6.js');
export const SCRIPT_FILE = 'nines.k6.js';
export const CONFIG_FILE = 'config.json';

// k6 accepts scenario names of letters, digits, `_` and `-` only.
const k6Name = (name: string): string => name.replace(/[^A-Za-z0-9_-]/g, '_') || 'nines';
// Scenario text goes into one-line notes of the config, whatever the scenario holds.
const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

function imagesOf(scenario: Scenario, imagesDir: string): K6Image[] {
  const problems: string[] = [];
  if (!scenario.load.images.length) problems.push('load.images is empty: there is nothing to send');
  const images: K6Image[] = [];
  for (const [i, img] of scenario.load.images.entries()) {
    const weight = img.weight ?? 1;
    if (!Number.isFinite(weight) || weight < 0) problems.push(`load.images[${i}].weight must be a number ≥ 0, got ${weight}`);
    let size = 0;
    try {
      const st = statSync(join(imagesDir, img.fixture));
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
      size = st.size;
    } catch (err) {
      problems.push(`fixture ${img.fixture} not readable in ${imagesDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass the fixtures folder as imagesDir`);
    }
    images.push({ fixture: img.fixture, size, sizeClass: sizeClassOf(size), weight });
  }
  if (images.length && images.every((x) => x.weight === 0)) problems.push('every image has weight 0: nothing would be picked');
  if (problems.length) throw new K6ExportError(scenario.name, problems);
  return images;
}

function faultLines(scenario: Scenario): string[] {
  return scenario.faults.map((f) => {
    const when = `at ${f.atS} s${f.forS !== undefined ? ` for ${f.forS} s` : ''}`;
    const what = 'target' in f.fault ? `${f.fault.kind} ${f.fault.target}` : f.fault.kind === 'toxic' ? `toxic ${f.fault.toxic} on ${f.fault.path}` : `${f.fault.kind} ${f.fault.path}`;
    return `${when}: ${oneLine(f.name)} (${what})`;
  });
}

function planFor(scenario: Scenario, profile: Profile): ExecutorPlan {
  try {
    return executorFor(profile, scenario.load);
  } catch (err) {
    if (err instanceof RangeError) throw new K6ExportError(scenario.name, [err.message]);
    throw err;
  }
}

function ninesOnlyOf(scenario: Scenario, slaNinesOnly: string[]): string[] {
  return [
    ...slaNinesOnly,
    ...(scenario.topology.kind === 'ha' ? ['fencing: no two brokers dispatch under a valid epoch at once, judged per queue shard (broker dispatch logs)'] : []),
    ...(scenario.probes ?? []).map((p) => `probe ${p} (measured by nines during the run)`),
  ].map(oneLine);
}

/**
 * The config script/nines.k6.js reads to reproduce `scenario`'s load against a running nines
 * API. Throws K6ExportError when fixtures are missing or weights or the profile unusable,
 * SlaSpecError on a bad SLA spec.
 */
export function k6Config(scenario: Scenario, opts: ExportK6Options): K6Config {
  const quick = Boolean(opts.quick && scenario.quick);
  const profile: Profile = quick && scenario.quick ? scenario.quick.profile : scenario.load.profile;
  const plan = planFor(scenario, profile);
  const images = imagesOf(scenario, opts.imagesDir);
  const sla = thresholdsFor(scenario.slas);
  return {
    format: K6_CONFIG_FORMAT,
    about: {
      scenario: scenario.name,
      seed: scenario.seed,
      quick,
      description: oneLine(scenario.description),
      load: describeProfile(profile),
      maxVUs: `${plan.vusReason}; all pre-allocated, so k6 never drops while initialising VUs mid-test`,
      ...(plan.roundingNote ? { rounding: `${plan.roundingNote} (k6 rates are integers)` } : {}),
      faults: faultLines(scenario),
      checkedByNinesOnly: ninesOnlyOf(scenario, sla.ninesOnly),
    },
    options: {
      scenarios: { [k6Name(scenario.name)]: plan.scenario },
      thresholds: sla.thresholds,
      // p(99) and p(99.9) are what the SLAs name; k6's default summary stops at p(95).
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'],
      // The check needs only the status; keeping resized images in memory would cost a
      // body per in-flight request for nothing.
      discardResponseBodies: true,
      tags: { nines_scenario: scenario.name, nines_seed: String(scenario.seed) },
    },
    request: {
      baseUrl: opts.baseUrl ?? DEFAULT_BASE_URL,
      query: scenario.load.query.replace(/^\?/, ''),
      timeout: `${scenario.load.timeoutMs}ms`,
      headers: { 'Content-Type': 'application/octet-stream' },
    },
    images: { dir: opts.imagesDir, seed: Math.trunc(scenario.seed) >>> 0, list: images },
    ...(sla.usesFailedCounter ? { failedCounter: FAILED_COUNTER } : {}),
  };
}

/** The config as the file k6 reads: stable key order and a final newline, so re-exports diff cleanly. */
export const configText = (config: K6Config): string => `${JSON.stringify(config, null, 2)}\n`;

/**
 * Writes the static script and `config` into `dir` (created if missing), side by side as
 * the script expects. Returns both paths. Throws the file system's error when it cannot.
 */
export function writeK6Export(dir: string, config: K6Config): { scriptPath: string; configPath: string } {
  mkdirSync(dir, { recursive: true });
  const scriptPath = join(dir, SCRIPT_FILE);
  const configPath = join(dir, CONFIG_FILE);
  copyFileSync(K6_SCRIPT, scriptPath);
  writeFileSync(configPath, configText(config));
  return { scriptPath, configPath };
}
