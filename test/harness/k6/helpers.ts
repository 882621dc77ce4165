// Literal scenarios and the two outside checks the k6 script must pass: tsc against
// @types/k6, and a run under the fake k6 runtime (fake-runtime.mjs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../../../harness/model/scenario.ts';
import { defaultFixturesDir } from '../../../harness/stack/process.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..', '..');
export const fixturesDir = defaultFixturesDir();

const base = {
  description: 'A literal scenario for the k6 exporter tests',
  kind: 'chaos',
  topology: { kind: 'local' },
  faults: [{ name: 'broker-crash', atS: 20, forS: 5, fault: { kind: 'kill', target: 'leader-broker', restart: true } }],
} as const;

/** Constant 50/s for 60 s, two images (one of each size class), SLAs of every kind. */
export const constantScenario: Scenario = {
  ...base,
  faults: [...base.faults],
  name: 'k6-constant',
  seed: 42,
  load: {
    profile: { kind: 'constant', rate: 50, durationS: 60 },
    images: [{ fixture: '320x240.jpg', weight: 3 }, { fixture: 'giant-image.jpg' }],
    query: '?width=320&format=webp',
    timeoutMs: 10_000,
    maxInFlight: 200,
  },
  slas: [
    { metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(99)<500' },
    { metric: 'latency', threshold: 'p(99.9)<2000' },
    { metric: 'errors', threshold: 'rate<0.001' },
    { metric: 'dropped', threshold: 'count<1' },
    { metric: 'availability', window: '10s', min: 0.999 },
    { metric: 'recovery', maxSeconds: 5 },
    { metric: 'errorBudget', slo: 0.999, maxShare: 0.1 },
    { metric: 'measurement', name: 'failoverSeconds', threshold: 'value<5' },
  ],
};

/** Ramping 0 → 100/s → hold → 20/s, no maxInFlight (VUs derived), a quick variant, ha topology. */
export const rampingScenario: Scenario = {
  ...base,
  faults: [...base.faults],
  name: 'k6 ramping', // not a valid k6 scenario name on purpose
  seed: 2 ** 40 + 7,
  topology: { kind: 'ha' },
  load: {
    profile: { kind: 'ramping', startRate: 0, stages: [{ rate: 100, durationS: 30 }, { rate: 100, durationS: 60 }, { rate: 20, durationS: 10 }] },
    images: [{ fixture: 'Landscape_1.jpg' }],
    query: 'width=64',
    timeoutMs: 2_500,
  },
  quick: { profile: { kind: 'ramping', startRate: 2.5, stages: [{ rate: 0.5, durationS: 1.5 }] } },
  slas: [
    { metric: 'latency', sizeClass: 'gte1mb', threshold: 'p(99) < 800', label: 'big images' },
    { metric: 'errors', threshold: 'count<10' },
    { metric: 'dropped', threshold: 'rate<0.01' },
  ],
};

/** A fresh temp dir, removed by the caller's `t.after`. */
export function tempDir(prefix = 'nines-k6-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

const scriptDir = join(repoRoot, 'harness', 'k6', 'script');

/** Runs tsc on the k6 script's own tsconfig (checkJs against @types/k6) in `dir`. */
export function typecheck(dir = scriptDir): { status: number | null; output: string } {
  const r = spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * A copy of the script's folder layout in `dir` (script/, the config types beside it,
 * node_modules linked) with `edit` applied to the script, so a test can show tsc rejects a change.
 */
export function editedScriptDir(dir: string, edit: (script: string) => string): string {
  const copy = join(dir, 'k6', 'script');
  mkdirSync(copy, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  copyFileSync(join(scriptDir, '..', 'config.ts'), join(dir, 'k6', 'config.ts'));
  copyFileSync(join(scriptDir, 'tsconfig.json'), join(copy, 'tsconfig.json'));
  writeFileSync(join(copy, 'nines.k6.js'), edit(readFileSync(join(scriptDir, 'nines.k6.js'), 'utf8')));
  return copy;
}

export interface FakeRun {
  options: Record<string, unknown>;
  opened: string[];
  posts: Array<{ url: string; bytes: number; sha256: string; params: { headers: Record<string, string>; timeout: string; tags: Record<string, string> } }>;
  checks: Array<[string, boolean]>;
  counters: Array<{ name: string; value: number; tags: Record<string, string> }>;
}

/** Runs the script exported into `dir` for `iterations` iterations under the fake k6 runtime with `env` as __ENV; every response has `status`. */
export function fakeRun(dir: string, iterations: number, env: Record<string, string>, status = 200): { status: number | null; run?: FakeRun; stderr: string } {
  const file = join(dir, 'nines.k6.js');
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', join(here, 'fake-runtime.mjs'), file, String(iterations), ...Object.entries(env).map(([k, v]) => `${k}=${v}`)], {
    encoding: 'utf8',
    env: { ...process.env, FAKE_K6_STATUS: String(status) },
    maxBuffer: 64 * 1024 * 1024,
  });
  return r.status === 0 ? { status: 0, run: JSON.parse(r.stdout) as FakeRun, stderr: r.stderr } : { status: r.status, stderr: r.stderr };
}
