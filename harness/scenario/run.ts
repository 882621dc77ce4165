/**
 * Runs a scenario, Jepsen-style: the scenario is data (a load generator, a nemesis
 * schedule, the SLAs); this runner only wires them. It starts the topology, drives the load
 * (the built-in open-model engine, or k6) while the nemesis plays the fault schedule and the
 * failover probe runs, heals every fault in teardown whatever happened, stores everything
 * in the history, and lets the checkers judge that history (harness/sla/judge.ts), the same
 * way `nines verdict <run-dir>` judges it later. Writes history.jsonl, report.json and
 * report.html to runs/<scenario>/<time>/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runLoad } from '../load/engine.ts';
import { FailoverProbe } from '../load/failover-probe.ts';
import { profileDurationS } from '../load/profile.ts';
import type { DispatchLog, History } from '../load/history.ts';
import { judge } from '../sla/judge.ts';
import type { SlaVerdict } from '../sla/types.ts';
import { writeReport } from '../report/write.ts';
import { runDir } from '../report/run-dir.ts';
import { verdictLines } from '../report/text.ts';
import { verdictExitCode } from '../report/model.ts';
import { k6Config } from '../k6/export.ts';
import { runWithK6 } from '../k6/run.ts';
import { FaultInjector } from '../faults/apply.ts';
import { Nemesis } from '../faults/nemesis.ts';
import { AdminClient } from '../../system/identity/admin-client.ts';
import type { SystemUnderTest } from '../model/system-under-test.ts';
import type { Profile, Scenario } from '../model/scenario.ts';
import { startSystem } from './sut.ts';
import { checkFaultShards } from './targets.ts';
import { requestFactory } from './requests.ts';
import { compareSlis } from '../observe/slis.ts';
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
  /** The system to run against instead of starting the scenario's topology (`--target`). */
  system?: () => Promise<SystemUnderTest>;
}

export interface RunResult {
  dir: string;
  valid: SlaVerdict['valid'];
  /** 0 every SLA held, 99 one failed (k6's convention), 2 unknown. */
  exitCode: number;
  verdict: SlaVerdict;
  extra: Record<string, unknown>;
}

/** What one run was given, resolved from the options. */
interface Run {
  o: RunOptions;
  sc: Scenario;
  seed: number;
  profile: Profile;
  dir: string;
  say: (line: string) => void;
}

export async function runScenario(o: RunOptions): Promise<RunResult> {
  const run = prepare(o);
  const sut = o.system ? await o.system() : await startSystem(run.sc.topology, run.dir, 'info');
  const nemesis = new Nemesis({ driver: new FaultInjector(sut, run.say), epochOf: (s) => sut.leaderEpoch(s), say: run.say });
  let probe: FailoverProbe | undefined;
  let history: History;
  let dispatchLog: DispatchLog | undefined;
  let t0 = Date.now();
  const observed: Record<string, unknown> = {}; // figures from outside the history: Prometheus's SLIs, slow clients, goodput
  try {
    const tenants = await scenarioTenants(sut, run.sc);
    probe = startProbe(run, sut, tenants.apiKey);
    const slow = startSlowClients(run.sc, sut.apiUrl, tenants.apiKey, profileDurationS(run.profile));
    t0 = Date.now(); // second 0 of the history: the nemesis schedule counts from here
    nemesis.play(run.sc.faults, t0);
    history = await driveLoad(run, sut, tenants);
    await nemesis.stop();
    await slow(history, observed);
    recordDegradation(history, { sc: run.sc, sut, profile: run.profile, extra: observed, say: run.say }); // before the processes stop
    await probe?.stop(); // its requests count on both sides of the SLI comparison
    const probed = probe ? { ...history, probe: probe.requests(t0) } : history;
    observed.slis = await compareSlis(sut.prometheusUrl, t0, Date.now(), probed); // Prometheus's SLIs beside the harness's own
  } finally {
    await probe?.stop().catch(() => undefined);
    await nemesis.healAll();
    if (sut.kind === 'ha') dispatchLog = readDispatchLog(sut, t0);
    await sut.stop().catch((err) => run.say(`stopping the topology: ${(err as Error).message}`));
  }
  const settings = { topology: run.sc.topology, ...history.settings };
  const faults = [...history.faults, ...nemesis.windows()]; // the load's own phase windows (a flood), then the nemesis's
  const recorded: History = { ...history, settings, faults, ops: nemesis.ops, slas: run.sc.slas, machine: { cores: availableParallelism() } };
  if (probe) recorded.probe = probe.requests(t0);
  if (dispatchLog) recorded.dispatchLog = dispatchLog;
  return report(run, recorded, observed);
}

/** Resolves seed, profile and run folder, and refuses a fault aimed at a shard the topology lacks before a minute of starting processes. */
function prepare(o: RunOptions): Run {
  const sc = o.scenario;
  const seed = o.seed ?? sc.seed;
  const say = o.say ?? (() => undefined);
  checkFaultShards(sc.faults, sc.topology);
  const dir = runDir(o.out, sc.name);
  mkdirSync(dir, { recursive: true });
  const where = o.system ? 'against the target system' : `starting the ${sc.topology.kind} topology`;
  say(`scenario ${sc.name} (seed ${seed}${o.quick ? ', quick' : ''}): ${where}; the run goes to ${dir}`);
  return { o, sc, seed, profile: o.quick && sc.quick ? sc.quick.profile : sc.load.profile, dir, say };
}

interface Tenants {
  /** A tenant of the scenario's own whose limits are far above any load, so the SLAs judge the service, not the tenant's quota. */
  apiKey: string;
  /** The scenario's tenant groups with their real limits (a noisy neighbour, many tenants), each with its keys. */
  groups: GroupKeys[];
}

async function scenarioTenants(sut: SystemUnderTest, sc: Scenario): Promise<Tenants> {
  const admin = new AdminClient({ adminUrl: sut.adminUrl, adminToken: sut.adminToken });
  const { apiKey } = await admin.createTenant({ name: `scenario-${sc.name}`, ratePerSec: 1_000_000, burst: 1_000_000 });
  return { apiKey, groups: await createTenantGroups(admin, sc.name, sc.load.tenants) };
}

/** The failover probe, when the scenario asks for one: 20 requests/s of the scenario's first image. */
function startProbe(run: Run, sut: SystemUnderTest, apiKey: string): FailoverProbe | undefined {
  if (!run.sc.probes?.includes('failover')) return undefined;
  const { load } = run.sc;
  const body = readFileSync(join(run.o.fixturesDir, load.images[0]!.fixture));
  return new FailoverProbe({ url: sut.apiUrl, apiKey, body, query: load.query, ratePerSec: 20, timeoutMs: load.timeoutMs }).start();
}

/** The brokers' dispatch events with times from second 0, or why they could not be read (fencing is then unknown, never a pass). */
function readDispatchLog(sut: SystemUnderTest, t0: number): DispatchLog {
  try {
    return { events: sut.dispatchEvents().map((e) => ({ broker: e.broker, shard: e.shard, epoch: e.epoch, t: e.t - t0 })) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Judges the recorded history, writes the run's files and says the verdict. */
async function report(run: Run, recorded: History, observed: Record<string, unknown>): Promise<RunResult> {
  const { history, verdict, results } = judge(recorded);
  const extra = { ...results, ...observed } as Record<string, unknown>;
  await writeReport(run.dir, { history, verdict, scenario: run.sc, extra });
  for (const line of verdictLines(verdict, results)) run.say(line);
  const exitCode = verdictExitCode(verdict.valid);
  run.say(`report: ${join(run.dir, 'report.html')}`);
  return { dir: run.dir, valid: verdict.valid, exitCode, verdict, extra };
}


/** Runs the load with the engine asked for (the built-in open model, or k6) and returns its history. */
async function driveLoad(run: Run, sut: SystemUnderTest, tenants: Tenants): Promise<History> {
  const { apiKey, groups } = tenants;
  const { o, sc, seed, profile, say } = run;
  if (o.engine === 'k6') {
    const config = k6Config(sc, { imagesDir: o.fixturesDir, baseUrl: sut.apiUrl, quick: o.quick });
    const r = await runWithK6(config, { scenario: sc, quick: o.quick, outDir: join(run.dir, 'k6'), baseUrl: sut.apiUrl, apiKey, onOutput: say });
    return r.history;
  }
  const total = profileDurationS(profile);
  return runLoad({
    url: sut.apiUrl,
    profile,
    requests: requestFactory(sc.load, o.fixturesDir, apiKey, seed, groups),
    connections: sc.load.connections ?? 256,
    maxInFlight: sc.load.maxInFlight ?? 2000,
    timeoutMs: sc.load.timeoutMs,
    graceMs: sc.load.timeoutMs + 1000,
    threads: 1,
    scenario: sc.name,
    seed,
    settings: { topology: sc.topology, query: sc.load.query, images: sc.load.images, quick: !!o.quick, engine: 'builtin' },
    onProgress: (p) =>
      say(`  ${String(Math.round(p.elapsedS)).padStart(4)}/${total} s  sent ${p.sent}  ok ${p.ok}  failed ${p.failed}  dropped ${p.dropped}  rate ${p.achievedRate.toFixed(0)}/s  p99 ${p.p99Ms === null ? '-' : p.p99Ms.toFixed(0) + ' ms'}`),
  });
}
