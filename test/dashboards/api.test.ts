/**
 * The dashboard's JSON API on its own (no browser, no Prometheus): the chaos history read
 * from run folders old and new, every answer decoded through the page's own schemas, and
 * the refusals — bad query parameters as problem+json 400s, files outside a run as 404s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '../../dashboards/web/server.ts';
import { overview, problem, runsList, burndown } from '../../dashboards/web/schema.ts';
import { defer } from '../helpers/defer.ts';

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function writeRun(runs: string, scenario: string, stamp: string, report: unknown): void {
  mkdirSync(join(runs, scenario, stamp), { recursive: true });
  if (report === undefined) return;
  writeFileSync(join(runs, scenario, stamp, 'report.json'), typeof report === 'string' ? report : JSON.stringify(report));
  writeFileSync(join(runs, scenario, stamp, 'report.html'), '<!doctype html><title>report</title>');
}

const report = (scenario: string, startedAt: string, verdict: string, extra: object = {}) => ({
  format: 'nines.report/1',
  scenario,
  seed: 1,
  startedAt,
  settings: {},
  definition: { kind: 'chaos' },
  valid: verdict === 'PASS',
  verdict,
  checks: [],
  figures: { durationS: 30, faults: [{ name: 'crash the leader broker', startS: 4, endS: 10, durationS: 6 }], measurements: { lostAccepted: 2 } },
  ...extra,
});

test('the API lists stored runs newest first, tolerates new fields and refuses what it does not take', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-dashboard-api-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  const runs = join(dir, 'runs');
  writeRun(runs, 'broker-crash', '20261203-100000', report('broker-crash', '2026-12-03T10:00:00.000Z', 'PASS', { failover: { seconds: 1.6, lostAccepted: 0, shard: 0 }, fencing: [{ shard: 0 }], capacity: null, futureField: { x: 1 } }));
  writeRun(runs, 'smoke', '20261203-110000', report('smoke', '2026-12-03T11:00:00.000Z', 'FAIL'));
  writeRun(runs, 'smoke', '20261203-120000', undefined); // still running: no report.json yet
  writeRun(runs, 'smoke', '20261203-130000', '{"scenario": "smoke"'); // cut short
  writeRun(runs, 'steady', '20261203-140000', { scenario: 'steady' }); // not a report

  const prometheusUrl = `http://127.0.0.1:${await deadPort()}`;
  const d = await startDashboard({ prometheusUrl, runsDir: runs });
  defer(t, () => d.close());
  const get = (path: string) => fetch(`${d.url}${path}`);

  const list = runsList.parse(await (await get('/api/runs')).json());
  assert.deepEqual(list.runs.map((r) => [r.scenario, r.verdict]), [['smoke', 'FAIL'], ['broker-crash', 'PASS']]);
  assert.equal(list.unreadable, 1, 'the report without a verdict is counted; the cut-short and running ones are skipped');
  const crash = list.runs[1]!;
  assert.equal(crash.failoverSeconds, 1.6);
  assert.equal(crash.requestsLost, 0, 'the failover probe counts lost requests when it ran');
  assert.equal(list.runs[0]!.requestsLost, 2, 'else the derived measurement does');
  assert.deepEqual(crash.faults, [{ name: 'crash the leader broker', from: Date.parse('2026-12-03T10:00:04Z') / 1000, to: Date.parse('2026-12-03T10:00:10Z') / 1000 }]);
  const html = await get(`/${crash.reportUrl}`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /^text\/html/);

  // Prometheus unreachable: an answer that says so, not an error.
  const o = overview.parse(await (await get('/api/overview')).json());
  assert.deepEqual([o.prometheus.up, o.slos, o.alerts], [false, [], []]);
  assert.match(o.prometheus.error ?? '', /not reachable/);
  const b = burndown.parse(await (await get('/api/burndown?range=6h')).json());
  assert.deepEqual([b.prometheus.up, b.range, b.end - b.start, b.series], [false, '6h', 21_600, []]);

  for (const [path, status, code] of [
    ['/api/burndown?range=2y', 400, 'ERR_BAD_QUERY'],
    ['/api/latency?range=1h&range=6h', 400, 'ERR_BAD_QUERY'],
    ['/api/runs?limit=5', 400, 'ERR_BAD_QUERY'],
    ['/api/overview?slo=latency', 400, 'ERR_BAD_QUERY'],
    ['/runs/broker-crash/20261203-100000/history.jsonl', 404, 'ERR_RUN_FILE_NOT_FOUND'],
    ['/runs/broker-crash/20261203-100000/secrets.txt', 404, 'ERR_RUN_FILE_NOT_FOUND'],
    ['/runs/..%2F..%2Fetc/20261203-100000/report.html', 404, 'ERR_RUN_FILE_NOT_FOUND'],
    ['/api/nothing', 404, 'ERR_NOT_FOUND'],
  ] as const) {
    const r = await get(path);
    assert.equal(r.status, status, path);
    assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
    const p = problem.parse(await r.json());
    assert.deepEqual([p.status, p.code], [status, code], path);
  }

  const page = await get('/');
  assert.match(await page.text(), /<script type="module" src="app.js">/);
  assert.equal((await get('/app.js')).status, 200);
});
