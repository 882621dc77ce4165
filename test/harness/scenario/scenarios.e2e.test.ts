/**
 * Scenarios end to end, at their reduced `quick` rate and duration: smoke on the embedded
 * topology, and chaos scenarios on the full one (Consul, Toxiproxy, two brokers per queue
 * shard, HAProxy).
 * Each must hold its SLAs and leave a report behind. The full-length versions are run by
 * `nines scenario <name>`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../../harness/scenario/catalog.ts';
import { runScenario } from '../../../harness/scenario/run.ts';
import { repoRoot } from '../../../harness/stack/process.ts';
import type { FencingResult } from '../../../harness/sla/fencing.ts';
import { fixturesDir } from '../../helpers/stack.ts';
import { assertSlisAgree, HA_JOBS } from '../../helpers/slis.ts';

const out = mkdtempSync(join(tmpdir(), 'nines-scenarios-'));
// A failed chaos run is kept (reports, every process's log under runs/<name>/<time>/stack):
// these failures are rare and timing-dependent, and the logs are the only way to read them.
let failed = false;
after(() => {
  if (failed) process.stderr.write(`scenario runs kept for diagnosis: ${out}\n`);
  else if (!process.env.NINES_KEEP_TEST_DIRS) rmSync(out, { recursive: true, force: true });
});

/** Runs a test body, remembering a failure so that `after` keeps the runs. */
async function keepOnFailure<T>(body: () => T | Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    failed = true;
    throw err;
  }
}

async function run(name: string, t: { diagnostic(msg: string): void }) {
  return keepOnFailure(() => runAndCheck(name, t));
}

async function runAndCheck(name: string, t: { diagnostic(msg: string): void }) {
  const r = await runScenario({ scenario: await loadScenario(name), out, fixturesDir, quick: true });
  const report = JSON.parse(readFileSync(join(r.dir, 'report.json'), 'utf8')) as { valid: unknown; checks: Array<{ name: string; valid: unknown; reason?: string }> };
  const failing = report.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${String(c.valid)} ${c.reason ?? ''}`);
  t.diagnostic(`${name}: ${String(report.valid)}${failing.length ? ` — ${failing.join('; ')}` : ''}`);
  assert.ok(existsSync(join(r.dir, 'report.html')), 'an HTML report is written');
  assert.ok(existsSync(join(r.dir, 'history.jsonl')), 'the history is stored');
  assert.equal(report.valid, true, failing.join('; '));
  assert.equal(r.exitCode, 0);
  verdictAgrees(r.dir, report);
  return { ...r, slis: (report as { slis?: unknown }).slis };
}

/** `nines verdict <dir>` judges the stored history.jsonl alone and finds what the run reported: the same checks, figures and exit code. */
function verdictAgrees(dir: string, report: { valid: unknown; checks: unknown; [k: string]: unknown }) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness/cli.ts'), 'verdict', dir, '--json'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, report.valid === true ? 0 : report.valid === false ? 99 : 2, r.stderr);
  const v = JSON.parse(r.stdout) as { valid: unknown; checks: unknown; results: Record<string, unknown>; matchesReport: boolean };
  assert.equal(v.valid, report.valid);
  assert.deepEqual(v.checks, report.checks, 'every check recomputed from history.jsonl as the run reported it');
  for (const k of ['failover', 'capacity', 'fencing']) assert.deepEqual(v.results[k], report[k], `${k} figures recomputed`);
  assert.equal(v.matchesReport, true);
}

test('smoke: the whole path serves real images within SLA; Prometheus agrees with the harness on the SLIs', async (t) => {
  const r = await run('smoke', t);
  await keepOnFailure(() => assertSlisAgree(r.slis, 'smoke'));
});

test('nines scenario broker-crash: SIGKILL of the leader broker under load, report with verdict and failover figures', () => keepOnFailure(brokerCrashByCli));

function brokerCrashByCli() {
  const dir = join(out, 'cli');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness/cli.ts'), 'scenario', 'broker-crash', '--quick', '--out', dir], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const runs = join(dir, 'runs', 'broker-crash');
  const [run] = readdirSync(runs);
  const report = JSON.parse(readFileSync(join(runs, run!, 'report.json'), 'utf8')) as { valid: unknown; checks: unknown; verdict: string; failover: { seconds: number; lostAccepted: number }; slis: unknown };
  assert.equal(report.verdict, 'PASS');
  verdictAgrees(join(runs, run!), report);
  assertSlisAgree(report.slis, 'broker-crash', HA_JOBS, 1); // the SIGKILLed leader stays down
  assert.equal(typeof report.failover.seconds, 'number');
  assert.ok(report.failover.seconds < 5, `failover took ${report.failover.seconds} s`);
  assert.equal(report.failover.lostAccepted, 0);
}

test('worker-crash: a SIGKILLed worker loses no request', async (t) => {
  await run('worker-crash', t);
});

test('api-broker-latency: 100 ms ± 50 ms on api -> broker keeps every request within SLA; Prometheus agrees on the SLIs', async (t) => {
  const r = await run('api-broker-latency', t);
  await keepOnFailure(() => assertSlisAgree(r.slis, 'api-broker-latency', HA_JOBS));
});

test('broker-partition: a leader cut from Consul steps down and the standby serves', async (t) => {
  const r = await run('broker-partition', t);
  assert.equal((r.extra.failover as { lostAccepted: number }).lostAccepted, 0);
});

test("shard-crash: SIGKILL of shard 1's leader (of 2 shards) loses no accepted request; split brain judged per shard", async (t) => {
  const r = await run('shard-crash', t);
  const failover = r.extra.failover as { seconds: number; lostAccepted: number; shard: number };
  assert.equal(failover.shard, 1, "the failover measured is shard 1's");
  assert.equal(failover.lostAccepted, 0);
  const fencing = r.extra.fencing as FencingResult;
  assert.deepEqual(fencing.shards.map((s) => [s.shard, s.valid]), [[0, true], [1, true]], 'one fencing result per shard, each a pass');
  assert.ok(fencing.shards[1]!.epochs.length >= 2, `shard 1 dispatched under its old and its new epoch: ${JSON.stringify(fencing.shards[1]!.epochs)}`);
  const row = r.verdict.results.find((c) => c.name.startsWith('no split brain'));
  assert.deepEqual((row?.observed as { shards: Array<{ shard: number; valid: unknown }> }).shards.map((s) => [s.shard, s.valid]), [[0, true], [1, true]], 'the fencing check judged each shard');
});
