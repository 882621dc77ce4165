/**
 * `nines scenario <name> --target FILE`: a scenario run against a stack the test started
 * separately (the harness's local stack, as `npm start` runs it), which the run must leave
 * running; target files decoded strictly; scenarios whose faults need what a target lacks
 * refused before any load is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../harness/stack/process.ts';
import { loadScenario } from '../../../harness/scenario/catalog.ts';
import { checkScenarioFitsTarget, readTarget, type TargetFile } from '../../../harness/scenario/target-file.ts';
import { startTestStack } from '../../helpers/stack.ts';
import type { FaultStep, Scenario } from '../../../harness/model/scenario.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nines-target-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const nines = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness', 'cli.ts'), ...args], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, ...env }, timeout: 120_000 });

const target: TargetFile = { name: 't', apiUrl: 'http://127.0.0.1:1', adminUrl: 'http://127.0.0.1:2', adminToken: 'x' };

test('a target file is decoded strictly, the admin token from the file or the environment', (t) => {
  const dir = tempDir(t);
  const file = (body: unknown) => {
    const p = join(dir, `${Math.random()}.json`);
    writeFileSync(p, JSON.stringify(body));
    return p;
  };
  assert.equal(readTarget(file({ apiUrl: 'http://a:1', adminUrl: 'http://b:2', adminTokenEnv: 'TOK' }), { TOK: 'secret' }).adminToken, 'secret');
  assert.throws(() => readTarget(file({ apiUrl: 'http://a:1', adminUrl: 'http://b:2', adminTokenEnv: 'TOK' }), {}), /\$TOK, which is not set/);
  assert.throws(() => readTarget(file({ apiUrl: 'not a url', adminUrl: 'http://b:2', adminToken: 'x' })), /apiUrl/);
  assert.throws(() => readTarget(file({ apiUrl: 'http://a:1', adminUrl: 'http://b:2', adminToken: 'x', brokers: [] })), /brokers|Unrecognized/);
  assert.throws(() => readTarget(file({ apiUrl: 'http://a:1', adminUrl: 'http://b:2' })), /adminToken or adminTokenEnv/);
});

test('scenarios whose faults need what the target lacks are refused, saying what', async () => {
  const [steady, brokerCrash, apiBrokerLatency] = await Promise.all(['steady', 'broker-crash', 'api-broker-latency'].map((n) => loadScenario(n)));
  const withFault = (fault: FaultStep['fault']): Scenario => ({ ...steady!, faults: [{ name: 'f', atS: 1, forS: 1, fault }] });
  const blobs: FaultStep['fault'] = { kind: 'toxic', path: 'worker-blobs', toxic: 'bandwidth', attributes: { rate: 1000 } };
  assert.doesNotThrow(() => checkScenarioFitsTarget(steady!, target));
  assert.throws(() => checkScenarioFitsTarget(brokerCrash!, target), /no control of its processes/);
  assert.throws(() => checkScenarioFitsTarget(withFault(blobs), target), /needs Toxiproxy, and the target names none/);
  const withProxies = { ...target, toxiproxy: { url: 'http://127.0.0.1:3', proxies: { 'worker-blobs': ['worker-blobs-a1'] } } };
  assert.doesNotThrow(() => checkScenarioFitsTarget(withFault(blobs), withProxies));
  assert.throws(() => checkScenarioFitsTarget(withFault({ kind: 'partition', path: 'api-consul' }), withProxies), /not among the target's Toxiproxy proxies \(worker-blobs\)/);
  assert.throws(() => checkScenarioFitsTarget(apiBrokerLatency!, withProxies), /follows the current leader broker/);
});

test('nines scenario broker-crash --target is refused before any load, exit 2', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'target.json');
  writeFileSync(file, JSON.stringify({ apiUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9', adminToken: 'x' }));
  const r = nines(['scenario', 'broker-crash', '--quick', '--target', file, '--out', dir]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /scenario broker-crash cannot run against target target: fault 'kill leader broker': it kills the leader-broker, and a target gives nines no control of its processes/);
  assert.deepEqual(readdirSync(dir), ['target.json'], 'nothing ran');
});

test('nines scenario steady --quick --target passes against a separately started stack and leaves it running', { timeout: 180_000 }, async (t) => {
  const stack = await startTestStack({ workers: 1 });
  t.after(() => stack.dispose());
  const dir = tempDir(t);
  const file = join(dir, 'target.json');
  writeFileSync(file, JSON.stringify({ name: 'local', apiUrl: stack.apiUrl, adminUrl: stack.adminUrl, adminTokenEnv: 'NINES_TEST_ADMIN_TOKEN' }));
  const r = nines(['scenario', 'steady', '--quick', '--target', file, '--out', dir], { NINES_TEST_ADMIN_TOKEN: stack.adminToken });
  const line = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null') as { valid: boolean; dir: string } | null;
  assert.ok(line, `no result line:\n${r.stderr.slice(-3000)}`);
  const report = JSON.parse(readFileSync(join(line.dir, 'report.json'), 'utf8')) as { verdict: string; checks: Array<{ name: string; valid: unknown; reason?: string }> };
  const failed = report.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.reason ?? String(c.valid)}`);
  assert.equal(r.status, 0, `exit ${r.status}; checks not held: ${failed.join('; ')}\n${r.stderr.slice(-1500)}`);
  assert.equal(report.verdict, 'PASS');
  const ready = await fetch(`${stack.apiUrl}/readyz`);
  assert.equal(ready.status, 200, 'the target is not ours to stop');
});
