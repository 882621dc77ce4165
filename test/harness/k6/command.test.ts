import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableScenarios } from '../../../harness/commands/k6.ts';
import type { K6Config } from '../../../harness/k6/config.ts';
import { K6_SCRIPT } from '../../../harness/k6/export.ts';
import { constantScenario, fixturesDir, removeDir, repoRoot, tempDir } from './helpers.ts';

// The command runs in a child process, as `nines k6 …` would, from `cwd` (where its
// default k6/<name>/ output goes). tsx is loaded by path, so any cwd works.
const tsx = import.meta.resolve('tsx');
const commandUrl = pathToFileURL(join(repoRoot, 'harness', 'commands', 'k6.ts')).href;
/** Runs `nines k6 <args>` from `cwd`, with scenarios from `scenariosDir` (default: the repo's scenarios/). */
function nines(args: string[], cwd: string, scenariosDir?: string): { status: number | null; stdout: string; stderr: string } {
  const cmd = scenariosDir ? `m.k6Command(${JSON.stringify(scenariosDir)})` : 'm.command';
  const main = `const m = await import(${JSON.stringify(commandUrl)}); process.exitCode = await ${cmd}.run(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', main], { cwd, encoding: 'utf8', env: { ...process.env, NINES_FIXTURES: fixturesDir } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('an unknown scenario exits 2 and lists the available ones', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const known = availableScenarios();
  const r = nines(['export', 'no-such-scenario'], dir);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /unknown scenario 'no-such-scenario'; available: /);
  if (known.length) assert.match(r.stderr, new RegExp(`available: ${known.join(', ')}`));
  else assert.match(r.stderr, /available: none/);
  // A name is a file name under scenarios/, never a path.
  assert.equal(nines(['export', '../harness/cli'], dir).status, 2);
});

test('usage errors exit 2; --help exits 0 with examples', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  assert.equal(nines([], dir).status, 2);
  assert.equal(nines(['import', 'smoke'], dir).status, 2);
  assert.equal(nines(['export'], dir).status, 2);
  assert.equal(nines(['export', 'a', 'b'], dir).status, 2);
  assert.equal(nines(['export', 'smoke', '--bogus'], dir).status, 2);
  assert.equal(nines(['export', 'smoke', '--base-url', 'not a url'], dir).status, 2);
  const h = nines(['export', '--help'], dir);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Examples:\n\s+nines k6 export smoke/);
});

test('exporting scenarios/smoke.ts writes k6/smoke/ (script and config) under the current directory, or the config to stdout with --out -', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const r = nines(['export', 'smoke', '--base-url', 'http://10.1.2.3:8080'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote k6\/smoke\/nines\.k6\.js and its config\.json \(scenario \S+, seed \d+\)\nrun it where k6 is installed:\n\s+k6 run -e BASE_URL=http:\/\/10\.1\.2\.3:8080 -e API_KEY=\S+ k6\/smoke\/nines\.k6\.js/);
  assert.equal(readFileSync(join(dir, 'k6', 'smoke', 'nines.k6.js'), 'utf8'), readFileSync(K6_SCRIPT, 'utf8'));
  const text = readFileSync(join(dir, 'k6', 'smoke', 'config.json'), 'utf8');
  const config = JSON.parse(text) as K6Config;
  assert.equal(config.request.baseUrl, 'http://10.1.2.3:8080');
  assert.match(Object.values(config.options.scenarios ?? {})[0]?.executor ?? '', /^(constant|ramping)-arrival-rate$/);
  const piped = nines(['export', 'smoke', '--base-url', 'http://10.1.2.3:8080', '--out', '-'], dir);
  assert.equal(piped.status, 0, piped.stderr);
  assert.equal(piped.stdout, text, 'stdout holds the config and nothing else');
});

test('a scenario file is exported to k6/<name>/ (directories created); export errors exit 1, unknown scenarios 2', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const scenarios = join(dir, 'scenarios');
  mkdirSync(scenarios);
  writeFileSync(join(scenarios, 'steady.ts'), `export default ${JSON.stringify({ ...constantScenario, name: 'steady' })};\n`);
  writeFileSync(join(scenarios, 'not-a-scenario.ts'), 'export const x = 1;\n');
  const broken = { ...constantScenario, name: 'broken', load: { ...constantScenario.load, images: [{ fixture: 'missing.jpg' }] } };
  writeFileSync(join(scenarios, 'broken.ts'), `export default ${JSON.stringify(broken)};\n`);
  const cwd = join(dir, 'work');
  mkdirSync(cwd);

  const r = nines(['export', 'steady', '--base-url', 'http://10.1.2.3:8080'], cwd, scenarios);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote k6\/steady\/nines\.k6\.js and its config\.json \(scenario steady, seed 42\)\nrun it where k6 is installed:\n {2}k6 run -e BASE_URL=http:\/\/10\.1\.2\.3:8080 -e API_KEY=\S+ k6\/steady\/nines\.k6\.js\n/);
  const config = JSON.parse(readFileSync(join(cwd, 'k6', 'steady', 'config.json'), 'utf8')) as K6Config;
  assert.deepEqual([config.about.scenario, config.about.seed, config.request.baseUrl], ['steady', 42, 'http://10.1.2.3:8080']);

  const piped = nines(['export', 'steady', '--out', '-'], cwd, scenarios);
  assert.equal(piped.status, 0, piped.stderr);
  assert.equal((JSON.parse(piped.stdout) as K6Config).about.scenario, 'steady');
  assert.match(piped.stderr, /save it as config\.json beside harness\/k6\/script\/nines\.k6\.js/);

  const quick = nines(['export', 'steady', '--quick', '--out', join(dir, 'deep', 'er')], cwd, scenarios);
  assert.equal(quick.status, 0, quick.stderr);
  assert.ok(existsSync(join(dir, 'deep', 'er', 'nines.k6.js')) && existsSync(join(dir, 'deep', 'er', 'config.json')));

  const unknown = nines(['export', 'nope'], cwd, scenarios);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown scenario 'nope'; available: broken, not-a-scenario, steady/);
  const notScenario = nines(['export', 'not-a-scenario'], cwd, scenarios);
  assert.equal(notScenario.status, 2);
  assert.match(notScenario.stderr, /must default-export a Scenario/);
  const bad = nines(['export', 'broken'], cwd, scenarios);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /fixture missing\.jpg not readable[^]*\(ERR_K6_EXPORT\)/);
});
