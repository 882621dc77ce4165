import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportK6 } from '../../../harness/k6/export.ts';
import { executorFor } from '../../../harness/k6/executor.ts';
import { thresholdsFor } from '../../../harness/k6/thresholds.ts';
import { constantScenario, fakeRun, fixturesDir, rampingScenario, removeDir, tempDir, typecheck } from './helpers.ts';

const sha = (file: string): string => createHash('sha256').update(readFileSync(join(fixturesDir, file))).digest('hex');

test('a constant profile becomes constant-arrival-rate with the in-flight bound as maxVUs', () => {
  const { scenario, vusReason } = executorFor(constantScenario.load.profile, constantScenario.load);
  assert.deepEqual(scenario, { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '60s', preAllocatedVUs: 200, maxVUs: 200, gracefulStop: '11s' });
  assert.match(vusReason, /maxInFlight = 200/);
});

test('a ramping profile becomes ramping-arrival-rate; without maxInFlight, VUs come from peak rate × timeout', () => {
  const { scenario, vusReason } = executorFor(rampingScenario.load.profile, rampingScenario.load);
  assert.deepEqual(scenario, {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    stages: [{ target: 100, duration: '30s' }, { target: 100, duration: '60s' }, { target: 20, duration: '10s' }],
    preAllocatedVUs: 250,
    maxVUs: 250,
    gracefulStop: '4s',
  });
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
  assert.deepEqual(c.thresholds, {
    'http_req_duration{size_class:lt1mb}': ['p(99)<500'],
    http_req_duration: ['p(99.9)<2000'],
    http_req_failed: ['rate<0.001'],
    dropped_iterations: ['count<1'],
  });
  assert.equal(c.usesFailedCounter, false);
  assert.equal(c.ninesOnly.length, 4);
  assert.match(c.ninesOnly.join('\n'), /availability ≥ 99.9 % in every 10 s window[^]*recovery within 5 s[^]*error budget[^]*measurement failoverSeconds value<5/);

  const r = thresholdsFor(rampingScenario.slas);
  assert.deepEqual(r.thresholds, { 'http_req_duration{size_class:gte1mb}': ['p(99) < 800'], failed_requests: ['count<10'] });
  assert.equal(r.usesFailedCounter, true);
  assert.match(r.ninesOnly.join('\n'), /dropped rate<0.01 as a share of scheduled requests/);
  assert.throws(() => thresholdsFor([{ metric: 'latency', threshold: 'p99<500' }]), { code: 'ERR_SLA_SPEC' });
});

test('the exported script carries the executor, thresholds and a header saying where it came from', () => {
  const s = exportK6(constantScenario, { imagesDir: fixturesDir, baseUrl: 'http://10.0.0.5:8080' });
  assert.match(s, /^\/\/ k6 script exported by nines from scenario "k6-constant", seed 42\./);
  assert.match(s, /k6 run -e BASE_URL=\S+ -e API_KEY=\S+ k6-constant\.js/);
  assert.match(s, /Faults are not part of k6: nines injects them[^]*at 20 s for 5 s: broker-crash \(kill leader-broker\)/);
  assert.match(s, /Checked by nines only:\n(\/\/ {3}- .*\n){4}/);
  assert.match(s, /executor: "constant-arrival-rate",\n\s+rate: 50,\n\s+timeUnit: "1s",\n\s+duration: "60s",/);
  assert.match(s, /"http_req_duration\{size_class:lt1mb\}": \["p\(99\)<500"\]/);
  assert.match(s, /http_req_failed: \["rate<0.001"\]/);
  assert.match(s, /dropped_iterations: \["count<1"\]/);
  assert.match(s, /__ENV\.BASE_URL \|\| "http:\/\/10\.0\.0\.5:8080"/);
  assert.match(s, /import \{ open, SeekMode \} from 'k6\/experimental\/fs';/);
  assert.match(s, /not open\(path, 'b'\)/);
  assert.doesNotMatch(s, /handleSummary|k6\/metrics/);
  assert.equal(exportK6(constantScenario, { imagesDir: fixturesDir, baseUrl: 'http://10.0.0.5:8080' }), s, 'the export is deterministic');
});

test('the exported scripts type-check against @types/k6, and a wrong option type does not', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const scripts = [exportK6(constantScenario, { imagesDir: fixturesDir }), exportK6(rampingScenario, { imagesDir: fixturesDir }), exportK6(rampingScenario, { imagesDir: fixturesDir, quick: true })];
  const ok = typecheck(dir, scripts);
  assert.equal(ok.status, 0, ok.output);
  const broken = scripts[0]!.replace('rate: 50,', 'rate: "50",');
  assert.notEqual(broken, scripts[0]);
  const r = typecheck(dir, [broken]);
  assert.notEqual(r.status, 0, 'tsc must reject a string rate');
  assert.match(r.output, /TS2322: Type 'string' is not assignable to type 'number'/);
});

test('run under a fake k6, the script posts whole images with auth, timeout and size_class tags, picked by weight from the seed', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const script = exportK6(constantScenario, { imagesDir: fixturesDir });
  const r = fakeRun(dir, script, 400, { BASE_URL: 'http://api.test:9000/', API_KEY: 'nines_secret' });
  assert.equal(r.status, 0, r.stderr);
  const run = r.run!;
  assert.deepEqual(run.opened, ['320x240.jpg', 'giant-image.jpg'].map((f) => `${fixturesDir}/${f}`));
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
  // The same seed and iteration numbers pick the same images, whichever VU runs them.
  const again = fakeRun(dir, script, 400, { API_KEY: 'k' }).run!;
  assert.deepEqual(again.posts.map((p) => p.sha256), run.posts.map((p) => p.sha256));
  assert.equal(again.posts[0]!.url, 'http://127.0.0.1:8080/v1/resize?width=320&format=webp');
});

test('the script refuses to start without API_KEY, or with fixtures of another size', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const script = exportK6(constantScenario, { imagesDir: fixturesDir });
  const noKey = fakeRun(dir, script, 1, {});
  assert.notEqual(noKey.status, 0);
  assert.match(noKey.stderr, /set API_KEY/);
  const wrong = fakeRun(dir, script.replace('size: 81198', 'size: 81199'), 1, { API_KEY: 'k' });
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /320x240\.jpg has 81198 bytes, the scenario was exported with 81199/);
});

test('errors count SLAs get a failed_requests Counter the script adds to', (t) => {
  const dir = tempDir();
  t.after(() => removeDir(dir));
  const script = exportK6(rampingScenario, { imagesDir: fixturesDir });
  assert.match(script, /import \{ Counter \} from 'k6\/metrics';/);
  assert.match(script, /k6_ramping: \{\n\s+executor: "ramping-arrival-rate"/);
  assert.match(script, /fencing: no two brokers/);
  const ok = fakeRun(dir, script, 3, { API_KEY: 'k' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(ok.run!.counters, [], 'every response was 200: nothing failed');
  assert.deepEqual((ok.run!.options.thresholds as Record<string, string[]>).failed_requests, ['count<10']);
  const failing = fakeRun(dir, script, 3, { API_KEY: 'k' }, 503).run!;
  assert.deepEqual(failing.counters, Array(3).fill({ name: 'failed_requests', value: 1, tags: { size_class: 'lt1mb' } }));
  assert.ok(failing.checks.every(([, passed]) => !passed));
});

test('missing fixtures and unusable weights are export errors naming every problem', () => {
  const bad = { ...constantScenario, load: { ...constantScenario.load, images: [{ fixture: 'nope.jpg' }, { fixture: '320x240.jpg', weight: -1 }] } };
  assert.throws(() => exportK6(bad, { imagesDir: fixturesDir }), (e: Error & { code?: string; problems?: string[] }) => {
    assert.equal(e.code, 'ERR_K6_EXPORT');
    assert.equal(e.problems?.length, 2);
    assert.match(e.message, /fixture nope\.jpg not readable[^]*weight must be a number ≥ 0/);
    return true;
  });
  const none = { ...constantScenario, load: { ...constantScenario.load, images: [] } };
  assert.throws(() => exportK6(none, { imagesDir: fixturesDir }), { code: 'ERR_K6_EXPORT', message: /load\.images is empty/ });
  const zero = { ...constantScenario, load: { ...constantScenario.load, profile: { kind: 'constant' as const, rate: 0, durationS: 10 } } };
  assert.throws(() => exportK6(zero, { imagesDir: fixturesDir }), { code: 'ERR_K6_EXPORT', message: /rate must be a positive number/ });
});
