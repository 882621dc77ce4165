/**
 * The SLA page in Debian's Chromium over a real stack and a real Prometheus: two stored runs
 * (one passing, one with a worker killed), requests that succeed and then requests that
 * fail, and every card checked against figures computed here from Prometheus's API and the
 * runs' report.json. Screenshots at 1280 and 390 px go to test-output/dashboards/.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { runScenario } from '../../harness/scenario/run.ts';
import { loadScenario } from '../../harness/scenario/catalog.ts';
import { repoRoot } from '../../harness/stack/process.ts';
import type { Scenario } from '../../harness/model/scenario.ts';
import { startDashboard } from '../../dashboards/web/server.ts';
import { SLO_NAMES } from '../../dashboards/web/schema.ts';
import { eventually, fixture, fixturesDir, resizeReq, startTestStack, type TestStack } from '../helpers/stack.ts';
import { defer } from '../helpers/defer.ts';
import { expectedCard, launchChromium, readPage, sloNumbers, watchForErrors } from './sla-page.ts';

const outputDir = join(repoRoot, 'test-output', 'dashboards');

/** A worker SIGKILLed (and restarted) under a gentle load on the embedded topology: the quickest run with a fault. */
async function crashScenario(): Promise<Scenario> {
  const smoke = await loadScenario('smoke');
  return {
    ...smoke,
    name: 'worker-kill-local',
    description: 'a worker SIGKILLed and restarted under a gentle load',
    kind: 'chaos',
    topology: { kind: 'local', workers: 2 },
    faults: [{ name: 'kill a worker', atS: 2, forS: 2, fault: { kind: 'kill', target: 'worker', restart: true } }],
    quick: { profile: { kind: 'constant', rate: 5, durationS: 6 } },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `count` resizes of a small image: two alone, each followed by a few scrapes, then the
 * rest five at a time (under the tenant's rate limit). rate() sees only increases after a
 * series' first scrape, so each status's first request must be scraped before the others
 * count; the first failure after the workers stop is a 504, the next ones 503. Their statuses.
 */
async function resizes(s: TestStack, count: number): Promise<number[]> {
  const body = fixture('flowers.jpeg');
  const one = () => resizeReq(s, body).then(async (r) => (await r.arrayBuffer(), r.status));
  const statuses: number[] = [];
  for (let i = 0; i < 2; i++) {
    statuses.push(await one());
    await sleep(2500);
  }
  for (let i = 2; i < count; i += 5) statuses.push(...(await Promise.all(Array.from({ length: Math.min(5, count - i) }, one))));
  return statuses;
}

/** Waits until the PromQL `q` has a result. */
async function waitForQuery(prometheusUrl: string, q: string): Promise<void> {
  await eventually(async () => {
    const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: unknown[] } };
    return body.data.result.length ? true : undefined;
  }, 40_000, 500);
}

/** Waits until `expr` has a result after `total` resize requests were scraped, then one more rule evaluation (5 s). */
async function waitForRules(prometheusUrl: string, total: number, expr: string): Promise<void> {
  await waitForQuery(prometheusUrl, `sum(nines_api_requests_total{route="/v1/resize"}) >= ${total} and on() count(${expr}) > 0`);
  await sleep(6000);
}

/** A dashboard over `prometheusUrl` and `runsDir` open in Chromium at `width` px, all closed after the test. */
async function openDashboard(t: TestContext, prometheusUrl: string, runsDir: string, width: number) {
  const dashboard = await startDashboard({ prometheusUrl, runsDir });
  defer(t, () => dashboard.close());
  const browser = await launchChromium();
  defer(t, () => browser.close());
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems = watchForErrors(page);
  await page.goto(`${dashboard.url}/`);
  return { dashboard, page, problems };
}

async function expectCardsMatch(page: Page, prometheusUrl: string) {
  const shown = await readPage(page);
  const numbers = await sloNumbers(prometheusUrl, shown.at);
  for (const slo of SLO_NAMES) assert.deepEqual(shown.cards[slo], expectedCard(numbers[slo]), `the ${slo} card at ${shown.at}`);
  return numbers;
}

test('the SLA page shows what Prometheus and the stored runs say, at desktop and phone width', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-dashboard-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(outputDir, { recursive: true });

  // Two stored runs: smoke passes; the crash run has a fault window.
  const passing = await runScenario({ scenario: await loadScenario('smoke'), out: dir, fixturesDir, quick: true });
  const faulty = await runScenario({ scenario: await crashScenario(), out: dir, fixturesDir, quick: true });
  const reports = [faulty, passing].map((r) => JSON.parse(readFileSync(join(r.dir, 'report.json'), 'utf8')) as { scenario: string; verdict: string });

  // The stack the page watches, with requests failing fast once its workers are gone.
  const stack = await startTestStack({ prometheus: true, env: { api: { NINES_API_DEADLINE_MS: '1000' } } });
  defer(t, () => stack.dispose());
  const prometheusUrl = stack.prometheus!.url;
  await waitForQuery(prometheusUrl, 'up{job="nines-api"} == 1'); // requests before the first scrape would never show in a rate
  assert.deepEqual(new Set(await resizes(stack, 30)), new Set([200]));
  await waitForRules(prometheusUrl, 30, 'slo:sli_error:ratio_rate30d >= 0');

  const { dashboard, page, problems } = await openDashboard(t, prometheusUrl, join(dir, 'runs'), 1280);

  // Every card says what Prometheus says: all requests so far succeeded.
  const before = await expectCardsMatch(page, prometheusUrl);
  assert.equal(before.availability.remaining, 1);
  assert.equal(await page.textContent('[data-slo="availability"] [data-field="state"]'), '✓ met');

  // The chaos history: both runs, newest first, verdicts as report.json has them.
  const rows = page.locator('table.history tbody tr');
  assert.equal(await rows.count(), 2);
  for (const [i, r] of reports.entries()) {
    assert.equal(await rows.nth(i).locator('td').first().innerText().then((s) => s.split(/\s/)[0]), r.scenario);
    assert.match(await rows.nth(i).locator('[data-field="verdict"]').innerText(), new RegExp(r.verdict));
  }
  assert.ok((await page.locator('#latency .uplot').count()) >= 1, 'a latency chart per size class');
  assert.equal(await page.locator('#burndown .uplot').count(), 1);
  await page.screenshot({ path: join(outputDir, 'dashboard-1280.png'), fullPage: true });

  // Requests that fail (no worker left: the api's 1 s deadline answers 5xx) spend budget and raise the burn rate.
  await Promise.all(stack.workers.map((w) => w.stop()));
  const failed = await resizes(stack, 10);
  assert.ok(failed.every((s) => s >= 500), `every request failed with a 5xx: ${failed.join(',')}`);
  await waitForRules(prometheusUrl, 40, 'ALERTS{alertstate="firing", alertname="SLOBurnRatePage", slo="availability"}');
  await page.reload();
  const after = await expectCardsMatch(page, prometheusUrl);
  assert.ok(after.availability.remaining! < before.availability.remaining!, 'the error budget went down');
  assert.ok(after.availability.errorRatio1h! / (1 - after.availability.objective!) > 1, 'the 1 h burn rate went above 1');
  assert.notEqual(await page.textContent('[data-slo="availability"] [data-field="state"]'), '✓ met');

  // The firing burn-rate alerts, in the words of their summary annotations.
  const firing = ((await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as { data: { alerts: { state: string; labels: Record<string, string>; annotations: { summary: string } }[] } }).data.alerts
    .filter((a) => a.state === 'firing' && a.labels.alertname!.startsWith('SLOBurnRate'))
    .map((a) => `${a.labels.alertname}/${a.labels.slo}: ${a.annotations.summary}`);
  const shownAlerts = await page.locator('li.alert').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-alert')}/${e.getAttribute('data-slo')}: ${e.textContent}`));
  assert.ok(firing.length >= 1);
  assert.equal(shownAlerts.length, firing.length);
  for (const f of firing) assert.ok(shownAlerts.some((a) => a.startsWith(f.split(': ')[0]!) && a.includes(f.slice(f.indexOf(': ') + 2))), `the page says ${f}`);

  // Phone width: nothing wider than the screen, the cards and the history still there.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await readPage(page);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling at 390 px');
  assert.equal(await page.locator('.card').count(), 3);
  await page.screenshot({ path: join(outputDir, 'dashboard-390.png'), fullPage: true });

  // The report link opens the run's own report, which draws its charts and SLA table.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.reload();
  await readPage(page);
  await Promise.all([page.waitForURL(/report\.html$/), rows.nth(0).locator('a').click()]);
  assert.ok((await page.locator('svg.chart').count()) >= 1, 'the report draws its charts');
  assert.ok((await page.locator('table.sla tr.sla-row').count()) >= 1, 'the report has its SLA table');
  assert.ok(await page.locator('svg.chart').first().isVisible());

  // Prometheus stopped: the page says so instead of drawing empty cards; the history stays.
  await stack.prometheus!.stop();
  await page.goto(`${dashboard.url}/`);
  await readPage(page);
  assert.ok(await page.locator('[data-empty="prometheus"]').isVisible());
  assert.match(await page.locator('[data-empty="prometheus"]').innerText(), /Prometheus is not reachable/);
  assert.equal(await page.locator('#slo-section').isVisible(), false);
  assert.equal(await page.locator('table.history tbody tr').count(), 2);

  assert.deepEqual(problems, [], 'no console errors or failed requests');
});

test('a fresh machine (no Prometheus, no runs) gets both empty states, not blank charts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-dashboard-empty-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  const { page, problems } = await openDashboard(t, 'http://127.0.0.1:9', join(dir, 'runs'), 390);
  await readPage(page);
  assert.match(await page.locator('[data-empty="prometheus"]').innerText(), /Prometheus is not reachable/);
  assert.match(await page.locator('[data-empty="runs"]').innerText(), /No scenario runs stored yet/);
  assert.equal(await page.locator('.uplot, .card').count(), 0);
  assert.deepEqual(problems, []);
});
