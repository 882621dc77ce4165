import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { K6Config } from '../../../harness/k6/config.ts';
import { K6_SCRIPT, k6Config, writeK6Export } from '../../../harness/k6/export.ts';
import { executorFor } from '../../../harness/k6/executor.ts';
import { thresholdsFor } from '../../../harness/k6/thresholds.ts';
import { constantScenario, editedScriptDir, fakeRun, fixturesDir, rampingScenario, removeDir, tempDir, typecheck } from './helpers.ts';

const sha = (file: string): string => createHash('sha256').update(readFileSync(join(fixturesDir, file))).digest('hex');

// What the literal scenarios in helpers.ts must become; the executor and threshold tests
// and the exported configs are held to the same values.
const CONSTANT_EXECUTOR = { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '60s', preAllocatedVUs: 200, maxVUs: 200, gracefulStop: '11s' };
const RAMPING_EXECUTOR = {
  executor: 'ramping-arrival-rate',
  startRate: 0,
  timeUnit: '1s',
  stages: [{ target: 100, duration: '30s' }, { target: 100, duration: '60s' }, { target: 20, duration: '10s' }],
  preAllocatedVUs: 250,
  maxVUs: 250,
  gracefulStop: '4s',
};
const CONSTANT_THRESHOLDS = {
  'http_req_duration{size_class:lt1mb}': ['p(99)<500'],
  http_req_duration: ['p(99.9)<2000'],
  http_req_failed: ['rate<0.001'],
  dropped_iterations: ['count<1'],
};

test('a constant profile becomes constant-arrival-rate with the in-flight bound as maxVUs', () => {
  const { scenario, vusReason } = executorFor(constantScenario.load.profile, constantScenario.load);
  assert.deepEqual(scenario, CONSTANT_EXECUTOR);
  assert.match(vusReason, /maxInFlight = 200/);
});

test('a ramping profile becomes ramping-arrival-rate; without maxInFlight, VUs come from peak rate × timeout', () => {
  const { scenario, vusReason } = executorFor(rampingScenario.load.profile, rampingScenario.load);
  assert.deepEqual(scenario, RAMPING_EXECUTOR);
  assert.match(vusReason, /peak rate 100\/s × timeout 2.5 s/);
});

test("fractional rates are written per a longer timeUnit, since k6's rates are integers", () => {
  const { scenario, roundingNote } = executorFor(rampingScenario.quick!.profile, rampingScenario.load);
  assert.equal(roundingNote, undefined);
  assert.deepEqual(scenario, { executor: 'ramping-arrival-rate', startRate: 25, timeUnit: '10s', stages: [{ target: 5, duration: '1500ms' }], preAllocatedVUs: 7, maxVUs: 7, gracefulStop: '4s' });
  const odd = executorFor({ kind: 'constant', rate: 1 / 3, durationS: 9 }, { ...constantScenario.load, maxInFlight: 1 });
  assert.deepEqual([odd.scenario.executor === 'constant-arrival-rate' && odd.scenario.rate, odd.scenario.timeUnit], [333, '1000s']);
  assert.match(odd.roundingNote ?? '', /rounded/);
});

test('SLAs become thresholds where k6 means the same thing; the rest are listed as nines-only', () => {
  const c = thresholdsFor(constantScenario.slas);
  assert.deepEqual(c.thresholds, CONSTANT_THRESHOLDS);
  assert.equal(c.usesFailedCounter, false);
  assert.equal(c.ninesOnly.length, 4);
  assert.match(c.ninesOnly.join('\n'), /availability ≥ 99.9 % in every 10 s window[^]*recovery within 5 s[^]*error budget[^]*measurement failoverSeconds value<5/);

  const r = thresholdsFor(rampingScenario.slas);
  assert.deepEqual(r.thresholds, { 'http_req_duration{size_class:gte1mb}': ['p(99) < 800'], failed_requests: ['count<10'] });
  assert.equal(r.usesFailedCounter, true);
  assert.match(r.ninesOnly.join('\n'), /dropped rate<0.01 as a share of scheduled requests/);
  assert.throws(() => thresholdsFor([{ metric: 'latency', threshold: 'p99<500' }]), { code: 'ERR_SLA_SPEC' });
});

/** Exports `scenario` into `dir` and reads back the config.json k6 would read. */
function exported(dir: string, scenario: typeof constantScenario, opts: { baseUrl?: string; quick?: boolean } = {}): K6Config {
  const { configPath } = writeK6Export(dir, k6Config(scenario, { imagesDir: fixturesDir, ...opts }));
  return JSON.parse(readFileSync(configPath, 'utf8')) as K6Config;
}

test('a constant scenario exports the static script and a config with its executor, thresholds and notes', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const c = exported(dir, constantScenario, { baseUrl: 'http://10.0.0.5:8080' });
  assert.equal(readFileSync(join(dir, 'nines.k6.js'), 'utf8'), readFileSync(K6_SCRIPT, 'utf8'), 'the script is the static file, unchanged');
  assert.deepEqual(c.options.scenarios, { 'k6-constant': CONSTANT_EXECUTOR });
  assert.deepEqual(c.options.thresholds, CONSTANT_THRESHOLDS);
  assert.deepEqual(c.request, { baseUrl: 'http://10.0.0.5:8080', query: 'width=320&format=webp', timeout: '10000ms', headers: { 'Content-Type': 'application/octet-stream' } });
  assert.deepEqual(c.images.list.map((i) => [i.fixture, i.size, i.sizeClass, i.weight]), [['320x240.jpg', 81198, 'lt1mb', 3], ['giant-image.jpg', 1093910, 'gte1mb', 1]]);
  assert.equal(c.failedCounter, undefined);
  assert.deepEqual(c.about.faults, ['at 20 s for 5 s: broker-crash (kill leader-broker)']);
  assert.equal(c.about.checkedByNinesOnly.length, 4);
  assert.equal(JSON.stringify(exported(dir, constantScenario, { baseUrl: 'http://10.0.0.5:8080' })), JSON.stringify(c), 'the export is deterministic');
});

test('a ramping scenario exports ramping-arrival-rate stages, a failed_requests counter and its quick profile', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const c = exported(dir, rampingScenario);
  assert.deepEqual(c.options.scenarios?.['k6_ramping'], RAMPING_EXECUTOR);
  assert.deepEqual(c.options.thresholds, { 'http_req_duration{size_class:gte1mb}': ['p(99) < 800'], failed_requests: ['count<10'] });
  assert.equal(c.failedCounter, 'failed_requests');
  assert.equal(c.images.seed, (2 ** 40 + 7) >>> 0);
  assert.match(c.about.checkedByNinesOnly.join('\n'), /dropped rate<0.01[^]*fencing: no two brokers/);
  const q = exported(dir, rampingScenario, { quick: true });
  assert.equal(q.about.quick, true);
  assert.deepEqual(q.options.scenarios?.['k6_ramping'], { executor: 'ramping-arrival-rate', startRate: 25, timeUnit: '10s', stages: [{ target: 5, duration: '1500ms' }], preAllocatedVUs: 7, maxVUs: 7, gracefulStop: '4s' });
});

test('the static script type-checks against @types/k6, and a wrong type in it does not', (t) => {
  const ok = typecheck();
  assert.equal(ok.status, 0, ok.output);
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const broken = editedScriptDir(dir, (s) => s.replace('timeout: CONFIG.request.timeout,', 'timeout: true,'));
  const r = typecheck(broken);
  assert.notEqual(r.status, 0, 'tsc must reject a boolean timeout');
  assert.match(r.output, /nines\.k6\.js\(\d+,\d+\): error TS2322: Type 'true' is not assignable to type 'string | number | undefined'/);
});

test('run under a fake k6, the script posts whole images with auth, timeout and size_class tags, picked by weight from the seed', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  exported(dir, constantScenario);
  const r = fakeRun(dir, 400, { BASE_URL: 'http://api.test:9000/', API_KEY: 'nines_secret' });
  assert.equal(r.status, 0, r.stderr);
  const run = r.run!;
  assert.deepEqual(run.opened, ['320x240.jpg', 'giant-image.jpg'].map((f) => `${fixturesDir}/${f}`));
  assert.equal((run.options.scenarios as Record<string, { rate: number }>)['k6-constant']!.rate, 50, 'options come from the config');
  const small = { bytes: 81198, sha256: sha('320x240.jpg'), tag: 'lt1mb' };
  const big = { bytes: 1093910, sha256: sha('giant-image.jpg'), tag: 'gte1mb' };
  for (const p of run.posts) {
    assert.equal(p.url, 'http://api.test:9000/v1/resize?width=320&format=webp');
    assert.deepEqual(p.params.headers, { Authorization: 'Bearer nines_secret', 'Content-Type': 'application/octet-stream' });
    assert.equal(p.params.timeout, '10000ms');
    const want = p.params.tags.size_class === 'lt1mb' ? small : big;
    assert.deepEqual([p.bytes, p.sha256], [want.bytes, want.sha256], 'the body is the whole fixture, byte for byte');
  }
  // Weights 3 : 1 → about 300 of 400 small images (binomial sd ≈ 8.7).
  const smallCount = run.posts.filter((p) => p.params.tags.size_class === 'lt1mb').length;
  assert.ok(smallCount > 260 && smallCount < 340, `small images: ${smallCount} of 400`);
  assert.equal(run.checks.length, 400);
  assert.ok(run.checks.every(([name, ok]) => name === 'status is 200' && ok));
  assert.deepEqual(run.counters, [], 'no errors count SLA: no failed_requests counter');
  // The same seed and iteration numbers pick the same images, whichever VU runs them.
  const again = fakeRun(dir, 400, { API_KEY: 'k' }).run!;
  assert.deepEqual(again.posts.map((p) => p.sha256), run.posts.map((p) => p.sha256));
  assert.equal(again.posts[0]!.url, 'http://127.0.0.1:8080/v1/resize?width=320&format=webp');
});

test('the script refuses to start without API_KEY, with fixtures of another size, or with a config of another format', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const c = exported(dir, constantScenario);
  const noKey = fakeRun(dir, 1, {});
  assert.notEqual(noKey.status, 0);
  assert.match(noKey.stderr, /set API_KEY/);
  const rewrite = (config: unknown): void => writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  rewrite({ ...c, images: { ...c.images, list: [{ ...c.images.list[0], size: 81199 }] } });
  const wrong = fakeRun(dir, 1, { API_KEY: 'k' });
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /320x240\.jpg has 81198 bytes, the scenario was exported with 81199/);
  rewrite({ ...c, format: 'nines-k6-config/0' });
  assert.match(fakeRun(dir, 1, { API_KEY: 'k' }).stderr, /is not nines-k6-config\/1: export the scenario again/);
});

test('errors count SLAs get a failed_requests Counter the script adds to', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  exported(dir, rampingScenario);
  const ok = fakeRun(dir, 3, { API_KEY: 'k' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(ok.run!.counters, [], 'every response was 200: nothing failed');
  assert.deepEqual((ok.run!.options.thresholds as Record<string, string[]>).failed_requests, ['count<10']);
  const failing = fakeRun(dir, 3, { API_KEY: 'k' }, 503).run!;
  assert.deepEqual(failing.counters, Array(3).fill({ name: 'failed_requests', value: 1, tags: { size_class: 'lt1mb' } }));
  assert.ok(failing.checks.every(([, passed]) => !passed));
});

test('missing fixtures and unusable weights are export errors naming every problem', () => {
  const bad = { ...constantScenario, load: { ...constantScenario.load, images: [{ fixture: 'nope.jpg' }, { fixture: '320x240.jpg', weight: -1 }] } };
  assert.throws(() => k6Config(bad, { imagesDir: fixturesDir }), (e: Error & { code?: string; problems?: string[] }) => {
    assert.equal(e.code, 'ERR_K6_EXPORT');
    assert.equal(e.problems?.length, 2);
    assert.match(e.message, /fixture nope\.jpg not readable[^]*weight must be a number ≥ 0/);
    return true;
  });
  const none = { ...constantScenario, load: { ...constantScenario.load, images: [] } };
  assert.throws(() => k6Config(none, { imagesDir: fixturesDir }), { code: 'ERR_K6_EXPORT', message: /load\.images is empty/ });
  const zero = { ...constantScenario, load: { ...constantScenario.load, profile: { kind: 'constant' as const, rate: 0, durationS: 10 } } };
  assert.throws(() => k6Config(zero, { imagesDir: fixturesDir }), { code: 'ERR_K6_EXPORT', message: /rate must be a positive number/ });
});
