import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSlas } from '../../../harness/sla/index.ts';
import { buildReport, readHistory, renderHtml, runDir, writeReport, type Report } from '../../../harness/report/index.ts';
import { writeHistory } from '../../../harness/report/history-file.ts';
import { judge } from '../../../harness/sla/judge.ts';
import { history, seconds } from '../sla/helpers.ts';
import { brokerCrash, slas } from './fixture.ts';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nines-report-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function written(t: { after: (fn: () => Promise<void>) => void }, scenarioName = 'broker-crash') {
  const dir = join(await tempDir(t), 'run');
  const h = brokerCrash(scenarioName);
  const verdict = checkSlas(h, slas);
  const files = await writeReport(dir, {
    history: h,
    verdict,
    scenario: { name: scenarioName, seed: 7, slas },
    extra: { failover: { seconds: 3.4, lostAccepted: 0 } },
  });
  const json = JSON.parse(await readFile(files.json, 'utf8')) as Report;
  const html = await readFile(files.html, 'utf8');
  return { dir, h, verdict, files, json, html };
}

test('writes history.jsonl, report.json and report.html, and nothing else', async (t) => {
  const { dir, h } = await written(t);
  assert.deepEqual((await readdir(dir)).sort(), ['history.jsonl', 'report.html', 'report.json']);
  assert.deepEqual(await readHistory(join(dir, 'history.jsonl')), h, 'history.jsonl reads back to the same history');
});

test('report.json carries the verdict, every check, the figures and the merged extra', async (t) => {
  const { json, verdict } = await written(t);
  assert.equal(json.format, 'nines.report/1');
  assert.equal(json.scenario, 'broker-crash');
  assert.equal(json.seed, 42);
  assert.equal(json.startedAt, '2026-01-01T00:00:00.000Z');
  assert.equal(json.settings['targetRate'], 200);
  assert.equal(json.valid, false);
  assert.equal(json.verdict, 'FAIL');
  assert.deepEqual(json.checks, JSON.parse(JSON.stringify(verdict.results)));
  assert.equal(json.checks.length, slas.length);
  assert.deepEqual(json['failover'], { seconds: 3.4, lostAccepted: 0 });
  assert.deepEqual((json.definition as { slas: unknown }).slas, slas);
  const f = json.figures;
  assert.deepEqual(f.requests, { ok: 11457, failed: 528, dropped: 15, completed: 11985, scheduled: 12000 });
  assert.equal(f.durationS, 60);
  assert.equal(f.targetRate, 200);
  assert.equal(f.achievedRate, 199.75);
  assert.equal(f.availability, 11457 / 12000);
  assert.ok(f.latency['all'] && f.latency['lt1mb']);
  assert.ok(Math.abs(f.latency['all']!.p99 - 2501) < 3);
  assert.equal(f.errorBudget?.slo, 0.999);
  assert.ok(Math.abs(f.errorBudget!.share - 543 / 12000 / 0.001) < 1e-3);
  assert.deepEqual(f.measurements, { failoverSeconds: 3.4 });
  assert.deepEqual(f.faults[0], { name: 'broker-crash', startS: 20, endS: 23.4, durationS: 3.4 });
  assert.deepEqual(Object.keys(f.failuresByKind), ['http_503', 'timeout', 'econnreset']);
});

test('extra may not redefine a core field', () => {
  const h = brokerCrash();
  assert.throws(() => buildReport({ history: h, verdict: checkSlas(h, slas), extra: { valid: true } }), /must not redefine valid/);
});

test('report.html is self-contained: no scripts, stylesheets or remote URLs', async (t) => {
  const { html } = await written(t);
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /@import|url\(/i);
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  // The only links are to the run's own files, side by side.
  assert.deepEqual([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]), ['history.jsonl', 'report.json']);
  assert.match(html, /<style>/);
});

test('report.html has the header, one SLA row per check, and the fault windows shaded on every chart', async (t) => {
  const { html, json } = await written(t);
  assert.match(html, /<h1>broker-crash<\/h1>/);
  assert.match(html, /seed <b class="mono">42<\/b>/);
  assert.match(html, /<span class="badge fail" data-verdict="FAIL">FAIL<\/span>/);
  const rows = [...html.matchAll(/<tr class="sla-row (pass|fail|unknown)" data-sla="([^"]*)"/g)].map((m) => [m[2], m[1]]);
  assert.deepEqual(
    rows,
    json.checks.map((c) => [c.name, c.valid === true ? 'pass' : c.valid === false ? 'fail' : 'unknown']),
  );
  assert.match(html, /<td><code>p\(99\)&lt;500 ms<\/code><\/td>/, 'threshold column, escaped');
  assert.match(html, /worst window 16–26 s served 1457 of 2000 requests/, 'reason column');
  // Two latency charts (all, lt1mb) and the throughput chart each shade both windows, with names.
  assert.equal((html.match(/<svg class="chart /g) ?? []).length, 3);
  for (const name of ['broker-crash', 'latency 200ms api→broker']) {
    const shaded = [...html.matchAll(/<g class="fault-window[^"]*" data-fault="([^"]*)">(.*?)<\/g>/g)].filter((m) => m[1] === name);
    assert.equal(shaded.length, 3, name);
    for (const [, , g] of shaded) {
      assert.match(g!, /<rect class="fault-band"/);
      assert.ok(g!.includes(`<text class="fault-label"`) && g!.includes(`>${name}</text>`));
    }
  }
  assert.match(html, /<div class="k raw">failoverSeconds<\/div><div class="v">3\.4<\/div>/, 'a measurement an SLA names gets a card');
  assert.match(html, /<path class="line p99" d="M/);
  assert.match(html, /<path class="area failed" d="M/);
  assert.match(html, /SLA p\(99\)&lt;500 ms/, 'the latency SLA is drawn as a reference line');
  const kinds = [...html.matchAll(/<tr data-kind="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(kinds, ['http_503', 'timeout', 'dropped', 'econnreset']);
});

test('a hostile scenario name, fault name or extra is escaped everywhere', async (t) => {
  const evil = '<script>alert("x")</script>';
  const dir = await tempDir(t);
  const h = brokerCrash(evil);
  h.faults[0]!.name = '<img src=x onerror=alert(1)>';
  h.seconds[21]!.failed = { '<b>kind</b>': 3 };
  const files = await writeReport(dir, { history: h, verdict: checkSlas(h, slas), extra: { note: '</pre><script>' } });
  const html = await readFile(files.html, 'utf8');
  assert.doesNotMatch(html, /<script|<img|<b>kind/i);
  assert.match(html, /<h1>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;<\/h1>/);
  assert.match(html, /data-fault="&lt;img src=x onerror=alert\(1\)&gt;"/);
  assert.match(html, /&lt;\/pre&gt;&lt;script&gt;/);
});

test('an unknown verdict and a run without traffic still produce a readable report', async (t) => {
  const dir = await tempDir(t);
  const h = history(seconds(0, 5, () => ({})));
  const verdict = checkSlas(h, [{ metric: 'latency', threshold: 'p(99)<500' }]);
  assert.equal(verdict.valid, 'unknown');
  const { report, html: htmlFile } = await writeReport(dir, { history: h, verdict });
  assert.equal(report.verdict, 'UNKNOWN');
  assert.equal(report.figures.availability, null);
  assert.equal(report.figures.errorBudget, null);
  const html = await readFile(htmlFile, 'utf8');
  assert.match(html, /<span class="badge unknown" data-verdict="UNKNOWN">UNKNOWN<\/span>/);
  assert.match(html, /No latency samples in this run/);
  assert.match(html, /No failed or dropped requests/);
  assert.match(html, /no requests in the run/);
});

test('runDir: runs/<scenario>/<UTC YYYYMMDD-HHMMSS>, with the name kept inside runs/', () => {
  const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.equal(runDir('/srv/nines', 'broker-crash', now), '/srv/nines/runs/broker-crash/20260102-030405');
  assert.equal(runDir('.', '../../etc/passwd', now), join('runs', 'etc-passwd', '20260102-030405'));
  assert.equal(runDir('.', '..', now), join('runs', 'unnamed', '20260102-030405'));
});

test('history.jsonl keeps everything a verdict needs: SLAs, machine, nemesis ops, probe requests, dispatch log; and judges the same after reading back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nines-history-'));
  try {
    const h = {
      ...history(seconds(0, 6, () => ({ ok: 20 }))),
      settings: { topology: { kind: 'ha', shards: 1 } },
      slas: [{ metric: 'measurement', name: 'failoverSeconds', threshold: 'value<5' }, { metric: 'fencing' }],
      machine: { cores: 2 },
      ops: [{ t: 1000, done: 1010, f: 'start' as const, fault: 'kill leader', kind: 'kill', ok: true, oneShot: true, deposes: { shard: 0, epochBefore: 4 } }],
      probe: [{ at: 900, done: 950, status: 200, shard: 0, epoch: 4 }, { at: 1100, done: 2600, status: 200, shard: 0, epoch: 5 }, { at: 1200, done: 7200, status: 0 }],
      dispatchLog: { events: [{ broker: 'b1', shard: 0, epoch: 4, t: 500 }, { broker: 'b2', shard: 0, epoch: 5, t: 2500 }] },
    };
    await writeHistory(join(dir, 'history.jsonl'), h);
    const back = await readHistory(join(dir, 'history.jsonl'));
    assert.deepEqual(back, h);
    const j = judge(back);
    assert.equal(j.history.measurements?.failoverSeconds, 1.6, 'from the kill at 1000 ms to the first epoch-5 answer at 2600 ms');
    assert.equal(j.history.measurements?.lostAccepted, 1, 'the probe request never answered');
    assert.deepEqual(j.verdict.results.map((r) => r.valid), [true, true]);
    assert.deepEqual(j.results.failover, { seconds: 1.6, lostAccepted: 1, shard: 0 });
    await writeHistory(join(dir, 'unreadable.jsonl'), { ...h, dispatchLog: { error: 'b2.log:3: not JSON' } });
    assert.equal(judge(await readHistory(join(dir, 'unreadable.jsonl'))).verdict.results[1]!.valid, 'unknown', 'an unreadable dispatch log stays unknown after the round trip');
    assert.throws(() => judge({ ...h, slas: undefined }), /records no SLAs/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('report.html shows the SLIs Prometheus computed beside the load generator’s, or why they are missing', () => {
  const h = brokerCrash();
  const verdict = checkSlas(h, slas);
  const sli = (good: number, total: number) => ({ good, total, ratio: good / total });
  const slis = {
    window: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:00:30.000Z' },
    server: { availability: sli(519, 519), latency: sli(477, 519), 'api-availability': sli(519, 519) },
    client: { availability: sli(180, 180), latency: sli(165, 180), latencyBracket: { atOrBelow400ms: 0.9, atOrBelow750ms: 0.95 } },
    targets: { 'nines-api/api-1': 'up' },
    differencePp: { availability: 0, latency: 0.2408 },
  };
  const page = renderHtml(buildReport({ history: h, verdict, extra: { slis } }), h);
  assert.match(page, /<h2>Server side vs client side<\/h2>/);
  assert.match(page, /91\.908 % \(477 of 519\)<\/td><td class="num">91\.667 % \(165 of 180\)<\/td><td class="num">0\.24 pp/);
  const missing = renderHtml(buildReport({ history: h, verdict, extra: { slis: { error: 'no Prometheus ran with this topology' } } }), h);
  assert.match(missing, /Prometheus's SLIs are missing: no Prometheus ran with this topology/);
});
