import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configText, K6_SCRIPT, k6Config } from '../../../harness/k6/export.ts';
import { findK6, runWithK6 } from '../../../harness/k6/run.ts';
import { constantScenario, fixturesDir, removeDir, tempDir } from './helpers.ts';

const config = k6Config(constantScenario, { imagesDir: fixturesDir });
const base = { scenario: constantScenario, baseUrl: 'http://127.0.0.1:8080', apiKey: 'nines_secret' };

test('without k6 on PATH, runWithK6 throws ERR_K6_MISSING saying to export the script', async (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  assert.equal(findK6(dir), undefined);
  await assert.rejects(runWithK6(config, { ...base, outDir: join(dir, 'run'), pathEnv: dir }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ERR_K6_MISSING');
    assert.match(e.message, /nines k6 export <scenario>.*where k6 is installed/);
    return true;
  });
  // k6 cannot be installed on this machine, so the real PATH must give the same answer.
  if (!findK6()) await assert.rejects(runWithK6(config, { ...base, outDir: join(dir, 'run2') }), { code: 'ERR_K6_MISSING' });
});

// k6 itself cannot be installed here (AGPL), so this stand-in plays its part of the
// contract: it takes the same arguments, writes samples in k6's JSON format where --out
// says, a summary where --summary-export says, and exits with $FAKE_K6_EXIT.
const fakeK6 = `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const json = args[args.indexOf('--out') + 1].replace(/^json=/, '');
const summary = args[args.indexOf('--summary-export') + 1];
fs.writeFileSync('invocation.json', JSON.stringify({ args, apiKey: process.env.API_KEY, baseUrl: process.env.BASE_URL, config: process.env.NINES_CONFIG }));
const p = (metric, time, value, tags) => JSON.stringify({ type: 'Point', data: { time, value, tags }, metric });
const tags = (status, cls, extra) => ({ method: 'POST', scenario: 'k6-constant', status: String(status), size_class: cls, ...extra });
fs.writeFileSync(json, [
  '{"type":"Metric","data":{"name":"vus","type":"gauge","contains":"default","thresholds":[],"submetrics":null},"metric":"vus"}',
  p('vus', '2024-05-09T12:00:00.000000000Z', 1, null),
  p('http_reqs', '2024-05-09T12:00:00.250000000Z', 1, tags(200, 'lt1mb')),
  p('http_req_duration', '2024-05-09T12:00:00.250000000Z', 40, tags(200, 'lt1mb')),
  p('http_req_duration', '2024-05-09T12:00:01.500000000Z', 120, tags(503, 'gte1mb')),
  p('http_req_duration', '2024-05-09T12:00:12.100000000Z', 10000, tags(0, 'lt1mb', { error_code: '1050' })),
  p('dropped_iterations', '2024-05-09T12:00:02.000000000Z', 1, { scenario: 'k6-constant' }),
].join('\\n') + '\\n');
fs.writeFileSync(summary, JSON.stringify({ metrics: { http_req_duration: { avg: 40, 'p(99)': 9000, thresholds: { 'p(99)<500': true } }, http_reqs: { count: 3, rate: 0.05 } } }));
process.stderr.write('running (01m00.0s), 000/200 VUs, 3 complete and 0 interrupted iterations\\n');
if (process.env.FAKE_K6_EXIT === '1') process.stderr.write('ERRO[0001] GoError: something broke\\n');
process.exit(Number(process.env.FAKE_K6_EXIT ?? 0));
`;

function installFakeK6(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'k6'), fakeK6);
  chmodSync(join(bin, 'k6'), 0o755);
  return bin;
}

test('with k6 on PATH, runWithK6 runs it with --summary-export and --out json and converts the samples', async (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const bin = installFakeK6(dir);
  assert.equal(findK6(`/nonexistent:${bin}`), join(bin, 'k6'));
  const outDir = join(dir, 'run');
  const lines: string[] = [];
  const r = await runWithK6(config, { ...base, outDir, pathEnv: bin, onOutput: (l) => lines.push(l) });

  const inv = JSON.parse(readFileSync(join(outDir, 'invocation.json'), 'utf8')) as { args: string[]; apiKey: string; baseUrl: string; config: string };
  assert.deepEqual(inv.args, ['run', '--no-usage-report', '--include-system-env-vars', '--summary-export', r.summaryPath, '--out', `json=${r.samplesPath}`, r.scriptPath]);
  assert.equal(inv.apiKey, 'nines_secret');
  assert.ok(!inv.args.some((a) => a.includes('nines_secret')), 'the API key is not on the command line');
  assert.equal(readFileSync(r.scriptPath, 'utf8'), readFileSync(K6_SCRIPT, 'utf8'), 'k6 runs the static script');
  assert.equal(inv.config, r.configPath, 'the config is named to k6, not taken from the environment');
  assert.equal(readFileSync(r.configPath, 'utf8'), configText(config));
  assert.match(lines.join('\n'), /3 complete/);

  assert.equal(r.exitCode, 0);
  assert.equal(r.thresholdsFailed, false);
  const h = r.history;
  assert.equal(h.scenario, 'k6-constant');
  assert.equal(h.seed, 42);
  assert.equal(h.startedAt, '2024-05-09T12:00:00.000Z');
  assert.equal(h.seconds.length, 60, 'the profile is 60 s long');
  assert.deepEqual(
    h.seconds.slice(0, 3).map(({ sent, ok, failed, dropped }) => ({ sent, ok, failed, dropped })),
    [
      { sent: 1, ok: 1, failed: {}, dropped: 0 },
      { sent: 1, ok: 0, failed: { http_503: 1 }, dropped: 0 },
      { sent: 1, ok: 0, failed: { timeout: 1 }, dropped: 1 },
    ],
  );
  assert.equal(h.settings.engine, 'k6');
  assert.deepEqual(r.summary.thresholds, [{ metric: 'http_req_duration', expression: 'p(99)<500', ok: false }], "k6's summary is read, its inverted boolean turned round");
  assert.deepEqual(h.settings.k6Thresholds, r.summary.thresholds, "k6's own threshold verdicts are recorded beside the samples");
});

test("k6's threshold failure (exit 99) is a result; any other failure is ERR_K6_FAILED with k6's last words", async (t) => {
  const dir = tempDir();
  t.after(() => {
    delete process.env.FAKE_K6_EXIT;
    removeDir(dir);
  });
  const bin = installFakeK6(dir);
  process.env.FAKE_K6_EXIT = '99';
  const r = await runWithK6(config, { ...base, outDir: join(dir, 'a'), pathEnv: bin });
  assert.deepEqual([r.exitCode, r.thresholdsFailed], [99, true]);
  process.env.FAKE_K6_EXIT = '1';
  await assert.rejects(runWithK6(config, { ...base, outDir: join(dir, 'b'), pathEnv: bin }), { code: 'ERR_K6_FAILED', message: /code 1[^]*GoError: something broke/ });
});
