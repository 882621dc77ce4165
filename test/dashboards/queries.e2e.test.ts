/**
 * Every query is real: a short run of real resizes (and some refusals) on the embedded
 * stack with Prometheus scraping it, then every panel's PromQL in the committed Grafana
 * dashboards and every rule expression Prometheus loaded is sent to its HTTP API. Each must
 * parse and return at least one series. An alert's expression returns series only while it
 * fires, so it is sent with its comparisons made `bool`: that returns a series per SLO
 * exactly when every operand exists and the operands match on `slo`.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../harness/stack/process.ts';
import { pollUntil } from '../../harness/stack/poll.ts';
import { instantQuery, waitForTargetsUp } from '../../harness/observe/prometheus-api.ts';
import { loadedRules } from '../../harness/observe/prometheus-rules.ts';
import { fixture, resizeReq, startTestStack, type TestStack } from '../helpers/stack.ts';

let s: TestStack;
let url: string;

before(async () => {
  s = await startTestStack({ prometheus: true });
  url = s.prometheus!.url;
  await waitForTargetsUp(url, 20_000);
  // The scenario: 40 small-image resizes over about 8 s, and refusals (4xx) among them.
  const small = fixture('concert.jpg');
  for (let i = 0; i < 40; i++) {
    const r = await resizeReq(s, small, { query: 'width=64&format=webp' });
    await r.arrayBuffer();
    if (i % 8 === 0) await (await resizeReq(s, small, { query: 'width=0' })).arrayBuffer();
    await new Promise((res) => setTimeout(res, 200));
  }
  // Rules run every 5 s (prometheus.yml): wait until the budget rule has one series per SLO.
  await pollUntil(async () => ((await instantQuery(url, 'slo:error_budget_remaining:ratio')).length === 3 ? true : undefined), {
    timeoutMs: 30_000,
    everyMs: 500,
    what: 'the SLO rules evaluated over the run',
  });
});
after(() => s?.dispose());

const panelQueries = (file: string): Array<{ panel: string; expr: string }> => {
  const d = JSON.parse(readFileSync(join(repoRoot, 'dashboards', 'grafana', file), 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  return d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
};

for (const file of ['slo-overview.json', 'service.json']) {
  test(`every panel query of dashboards/grafana/${file} parses and returns series`, async () => {
    const queries = panelQueries(file);
    assert.ok(queries.length >= 8);
    const empty: string[] = [];
    for (const q of queries) if ((await instantQuery(url, q.expr)).length === 0) empty.push(`${q.panel}: ${q.expr}`);
    assert.deepEqual(empty, [], 'panels whose query returned no series');
  });
}

test('every rule Prometheus loaded is healthy, and its expression parses and returns series', async () => {
  const rules = await loadedRules(url);
  assert.equal(rules.length, 31);
  const problems: string[] = [];
  for (const r of rules) {
    if (r.health === 'err') problems.push(`${r.name}: ${r.lastError}`);
    const expr = r.type === 'alerting' ? r.query.replaceAll(' > (', ' > bool (') : r.query;
    const series = await instantQuery(url, expr);
    if (series.length === 0) problems.push(`${r.name} returned no series: ${expr}`);
  }
  assert.deepEqual(problems, []);
});

test('the SLIs Prometheus records over the run: nothing failed, and the 4xx refusals did not count', async () => {
  const sli = Object.fromEntries((await instantQuery(url, 'slo:sli_error:ratio_rate5m')).map((x) => [x.labels.slo, x.value]));
  assert.equal(sli['availability'], 0);
  assert.equal(sli['api-availability'], 0);
  // Not asserted to be 0: a resize over 500 ms on a busy shared machine is possible, not a bug.
  assert.ok(sli['latency']! >= 0 && sli['latency']! < 0.5, `latency error ratio ${sli['latency']}`);
  const refused = await instantQuery(url, 'sum(nines_api_requests_total{route="/v1/resize",status="400"})');
  assert.equal(refused[0]?.value, 5);
});
