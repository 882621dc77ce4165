/**
 * Runs a scenario: starts its topology, drives its load (the built-in open-model engine,
 * or k6), plays its fault timeline, heals every fault in teardown whatever happened, then
 * judges the history against the scenario's SLAs and writes history, report.json and
 * report.html to runs/<scenario>/<time>/. The engine records; the checkers judge.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runLoad } from '../load/engine.ts';
import type { FaultWindow, History } from '../load/history.ts';
import { checkSlas, compose, checkSafe, type CheckResult, type SlaVerdict } from '../sla/index.ts';
import { checkFencing, unjudgedFencing, type FencingResult } from '../sla/fencing.ts';
import { writeReport } from '../report/write.ts';
import { runDir } from '../report/run-dir.ts';
import { k6Config } from '../k6/export.ts';
import { runWithK6 } from '../k6/run.ts';
import { FaultInjector } from '../faults/apply.ts';
import { AdminClient } from '../../system/identity/admin-client.ts';
import type { SystemUnderTest } from '../model/system-under-test.ts';
import { startSystem } from './sut.ts';
import { checkFaultShards, failoverShard } from './targets.ts';
import { requestFactory } from './requests.ts';
import { FailoverProbe, capacity, type CapacityFigures } from './probes.ts';
import type { FaultStep, Profile, Scenario } from '../model/scenario.ts';
import { createTenantGroups, type GroupKeys } from './tenants.ts';
import { startSlowClients } from './slow.ts';
import { recordDegradation } from './shedding.ts';

export interface RunOptions {
  scenario: Scenario;
  /** Base directory; the run goes to <out>/runs/<scenario>/<time>/. */
  out: string;
  fixturesDir: string;
  seed?: number;
  /** Use the scenario's reduced `quick` profile (what npm test runs). */
  quick?: boolean;
  engine?: 'builtin' | 'k6';
  say?: (line: string) => void;
}

export interface RunResult {
  dir: string;
  valid: SlaVerdict['valid'];
  /** 0 every SLA held, 99 one failed (k6's convention), 2 unknown. */
  exitCode: number;
  verdict: SlaVerdict;
  extra: Record<string, unknown>;
}

const profileSeconds = (p: Profile) => (p.kind === 'constant' ? p.durationS : p.stages.reduce((a, s) => a + s.durationS, 0));

export async function runScenario(o: RunOptions): Promise<RunResult> {
  const sc = o.scenario;
  const seed = o.seed ?? sc.seed;
  const say = o.say ?? (() => undefined);
  const profile = o.quick && sc.quick ? sc.quick.profile : sc.load.profile;
  checkFaultShards(sc.faults, sc.topology); // before a minute of starting processes, not after
  const dir = runDir(o.out, sc.name);
  mkdirSync(dir, { recursive: true });
  say(`scenario ${sc.name} (seed ${seed}${o.quick ? ', quick' : ''}): starting the ${sc.topology.kind} topology in ${dir}`);

  const sut: SystemUnderTest = await startSystem(sc.topology, dir, 'info');
  const faults = new FaultInjector(sut, say);
  const windows: FaultWindow[] = [];
  const timers: NodeJS.Timeout[] = [];
  const failovers: FailoverMark[] = [];
  let probe: FailoverProbe | undefined;
  const extra: Record<string, unknown> = {};
  let history: History;
  try {
    const admin = new AdminClient({ adminUrl: sut.adminUrl, adminToken: sut.adminToken });
    const { apiKey } = await admin.createTenant({ name: `scenario-${sc.name}`, ratePerSec: 1_000_000, burst: 1_000_000 });
    const groups = await createTenantGroups(admin, sc.name, sc.load.tenants);

    if (sc.probes?.includes('failover')) {
      const img = sc.load.images[0]!;
      probe = new FailoverProbe({ url: sut.apiUrl, apiKey, body: readFileSync(join(o.fixturesDir, img.fixture)), query: sc.load.query, ratePerSec: 20, timeoutMs: sc.load.timeoutMs });
      probe.start();
    }

    // The fault timeline, relative to the load's start (second 0 of the history).
    const t0 = Date.now();
    playFaults(sc.faults, { sut, faults, say, t0, windows, failovers, timers });

    const slow = startSlowClients(sc, sut.apiUrl, apiKey, profileSeconds(profile));
    history = await driveLoad(o, { sut, apiKey, groups, profile, seed, dir, windows, say });
    await slow(history, extra);
    for (const t of timers) clearTimeout(t);
    history.faults = windows.map((w) => ({ ...w, endMs: w.endMs ?? Date.now() - t0 }));
    recordDegradation(history, { sc, sut, profile, extra, say });

    // Accepted but never answered (timeout, connection reset after sending): lost or hung.
    let lostAccepted = history.failures.filter((f) => f.outcome === 'info').length;
    if (probe) {
      await probe.stop();
      const mark = failovers[0];
      const seconds = mark ? probe.failoverSeconds(mark.at, mark.epoch, mark.shard) : undefined;
      lostAccepted += probe.unanswered;
      extra.failover = { seconds: seconds ?? null, lostAccepted, ...(mark ? { shard: mark.shard } : {}) };
      if (seconds !== undefined) history.measurements = { ...history.measurements, failoverSeconds: seconds };
    }
    history.measurements = { ...history.measurements, lostAccepted };
    if (sc.probes?.includes('capacity')) {
      const cap: CapacityFigures = capacity(history, { p99Ms: 500, maxErrorRate: 0.001, cores: availableParallelism() });
      extra.capacity = cap;
      history.measurements = { ...history.measurements, sustainedRate: cap.sustainedRate };
      say(`capacity: ${cap.sustainedRate} resizes/s held within SLA for ${cap.windowS} s on ${cap.cores} cores (${cap.perCore.toFixed(1)}/core); tip-over at ${cap.tipOverOffered ?? 'not reached'} offered/s; 10,000/s with 20 % headroom needs ${cap.fleet.machines} such machines`);
    }
  } finally {
    for (const t of timers) clearTimeout(t);
    await probe?.stop().catch(() => undefined);
    await faults.healAll();
    if (sut.kind === 'ha') extra.fencing = judgeFencing(sut);
    await sut.stop().catch((err) => say(`stopping the topology: ${(err as Error).message}`));
  }

  const base = checkSlas(history, sc.slas);
  const results: CheckResult[] = [...base.results, ...fencingChecks(extra.fencing as FencingResult | undefined)];
  const verdict: SlaVerdict = compose(results.map((r) => checkSafe({ name: r.name, check: () => r }))).check(history);
  await writeReport(dir, { history, verdict, scenario: sc, extra });
  const exitCode = verdict.valid === true ? 0 : verdict.valid === false ? 99 : 2;
  say(`verdict: ${verdict.valid === true ? 'PASS' : verdict.valid === false ? 'FAIL' : 'UNKNOWN'}; report: ${join(dir, 'report.html')}`);
  return { dir, valid: verdict.valid, exitCode, verdict, extra };
}

/** Runs the load with the engine asked for (the built-in open model, or k6) and returns its history. */
async function driveLoad(
  o: RunOptions,
  x: { sut: SystemUnderTest; apiKey: string; groups: GroupKeys[]; profile: Profile; seed: number; dir: string; windows: FaultWindow[]; say: (line: string) => void },
): Promise<History> {
  const sc = o.scenario;
  if (o.engine === 'k6') {
    const config = k6Config(sc, { imagesDir: o.fixturesDir, baseUrl: x.sut.apiUrl, quick: o.quick });
    const r = await runWithK6(config, { scenario: sc, quick: o.quick, outDir: join(x.dir, 'k6'), baseUrl: x.sut.apiUrl, apiKey: x.apiKey, onOutput: x.say, faults: x.windows });
    return r.history;
  }
  const total = profileSeconds(x.profile);
  return runLoad({
    url: x.sut.apiUrl,
    profile: x.profile,
    requests: requestFactory(sc.load, o.fixturesDir, x.apiKey, x.seed, x.groups),
    connections: sc.load.connections ?? 256,
    maxInFlight: sc.load.maxInFlight ?? 2000,
    timeoutMs: sc.load.timeoutMs,
    graceMs: sc.load.timeoutMs + 1000,
    threads: 1,
    scenario: sc.name,
    seed: x.seed,
    settings: { topology: sc.topology, query: sc.load.query, images: sc.load.images, quick: !!o.quick, engine: 'builtin' },
    onProgress: (p) =>
      x.say(`  ${String(Math.round(p.elapsedS)).padStart(4)}/${total} s  sent ${p.sent}  ok ${p.ok}  failed ${p.failed}  dropped ${p.dropped}  rate ${p.achievedRate.toFixed(0)}/s  p99 ${p.p99Ms === null ? '-' : p.p99Ms.toFixed(0) + ' ms'}`),
  });
}

/** A fault that deposed a shard's leader: when, that shard, and the epoch it had just before. */
interface FailoverMark {
  at: number;
  shard: number;
  epoch: number;
}

interface Timeline {
  sut: SystemUnderTest;
  faults: FaultInjector;
  say: (line: string) => void;
  /** Second 0 of the history, in epoch ms. */
  t0: number;
  windows: FaultWindow[];
  failovers: FailoverMark[];
  /** Every timer set, so the runner can clear them whatever happens. */
  timers: NodeJS.Timeout[];
}

/** Starts each step at its `atS` after `tl.t0` and heals it `forS` later; records its window and any failover it starts. */
function playFaults(steps: FaultStep[], tl: Timeline): void {
  for (const step of steps) tl.timers.push(setTimeout(() => void playStep(step, tl), step.atS * 1000));
}

async function playStep(step: FaultStep, tl: Timeline): Promise<void> {
  const shard = failoverShard(step.fault);
  // The epoch just before the fault: the failover is over once a higher one of that shard serves.
  const epoch = shard === undefined ? 0 : await tl.sut.leaderEpoch(shard).catch(() => 0);
  const window: FaultWindow = { name: step.name, startMs: Date.now() - tl.t0 };
  tl.windows.push(window);
  try {
    const heal = await tl.faults.start(step.name, step.fault);
    if (shard !== undefined) tl.failovers.push({ at: tl.t0 + window.startMs, shard, epoch });
    if (step.forS === undefined) {
      window.endMs = Date.now() - tl.t0;
      return;
    }
    const healLater = () =>
      void heal()
        .catch((err) => tl.say(`heal of ${step.name} failed: ${(err as Error).message}`))
        .finally(() => (window.endMs = Date.now() - tl.t0));
    tl.timers.push(setTimeout(healLater, step.forS * 1000));
  } catch (err) {
    tl.say(`fault ${step.name} could not start: ${(err as Error).message}`);
    window.endMs = window.startMs;
  }
}

/** The split-brain check per queue shard; logs that cannot be read make every shard unknown, never a pass. */
function judgeFencing(sut: SystemUnderTest): FencingResult {
  try {
    return checkFencing(sut.dispatchEvents(), { shards: sut.shards });
  } catch (err) {
    return unjudgedFencing(sut.shards, `the brokers' dispatch logs could not be read: ${(err as Error).message}`);
  }
}

/** One report row per queue shard. */
function fencingChecks(f: FencingResult | undefined): CheckResult[] {
  return (f?.shards ?? []).map((s) => ({
    name: `no split brain in queue shard ${s.shard} (dispatch epochs never overlap)`,
    valid: s.valid,
    reason: s.violations.join('; ') || s.reason,
    observed: { epochs: s.epochs.length },
  }));
}
