/**
 * Helpers of the SLA page's browser tests: Debian's Chromium through playwright's library,
 * every console error and failed request collected, the cards read off the page, and the
 * figures a card should show computed straight from Prometheus's HTTP API.
 */
import { chromium, type Browser, type Page } from 'playwright';
import { SLO_NAMES, WINDOW_MINUTES, type SloName } from '../../dashboards/web/schema.ts';
import { budgetText, burnText, minutesText, sliText } from '../../dashboards/web/page/format.ts';

/** `npx playwright install` cannot work here; Debian's chromium (scripts/setup-tools.sh) does. */
export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], headless: true });

/** Console errors, uncaught exceptions, failed requests and HTTP errors the page met. */
export function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A navigation (reload, following a link) cancels the page's fetches still in flight: not a failure of the server.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

export type CardText = { state: string; sli: string; objective: string; budget: string; 'budget-minutes': string; 'burn-1h': string; 'burn-6h': string };

/** Waits for a complete render and reads, in one step, the time it was read at and every card's words. */
export async function readPage(page: Page): Promise<{ at: string; cards: Record<string, CardText> }> {
  await page.waitForSelector('body[data-loaded]', { state: 'attached' });
  return page.evaluate(() => {
    const cards: Record<string, Record<string, string>> = {};
    for (const c of Array.from(document.querySelectorAll<HTMLElement>('[data-slo].card'))) {
      const f: Record<string, string> = {};
      for (const d of Array.from(c.querySelectorAll<HTMLElement>('[data-field]'))) f[d.dataset.field!] = d.textContent!.trim();
      cards[c.dataset.slo!] = f;
    }
    return { at: document.getElementById('as-of')!.dataset.at!, cards: cards as Record<string, CardText> };
  });
}

async function instant(prometheusUrl: string, expr: string, at: string): Promise<Map<string, number>> {
  const u = new URL('/api/v1/query', prometheusUrl);
  u.searchParams.set('query', expr);
  u.searchParams.set('time', String(Date.parse(at) / 1000));
  const body = (await (await fetch(u)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return new Map(body.data.result.map((r) => [r.metric.slo ?? '', Number(r.value[1])]));
}

/** A rule's value for one SLO; NaN (0/0 before any request) and absent both read as null. */
const valueOf = (m: Map<string, number>, slo: string): number | null => {
  const v = m.get(slo);
  return v === undefined || !Number.isFinite(v) ? null : v;
};

type N = number | null;
export type SloNumbers = { errorRatio30d: N; errorRatio1h: N; errorRatio6h: N; objective: N; remaining: N; firing: number };

/** The raw rule values at `at`, straight from Prometheus's query API. */
export async function sloNumbers(prometheusUrl: string, at: string): Promise<Record<SloName, SloNumbers>> {
  const q = (e: string) => instant(prometheusUrl, e, at);
  const [r30d, r1h, r6h, objective, remaining, firing] = await Promise.all([
    q('slo:sli_error:ratio_rate30d'),
    q('slo:sli_error:ratio_rate1h'),
    q('slo:sli_error:ratio_rate6h'),
    q('slo:objective:ratio'),
    q('slo:error_budget_remaining:ratio'),
    q('count by (slo) (ALERTS{alertstate="firing", alertname=~"SLOBurnRate.*"})'),
  ]);
  const out = {} as Record<SloName, SloNumbers>;
  for (const slo of SLO_NAMES) {
    const v = (m: Map<string, number>) => valueOf(m, slo);
    out[slo] = { errorRatio30d: v(r30d), errorRatio1h: v(r1h), errorRatio6h: v(r6h), objective: v(objective), remaining: v(remaining), firing: firing.get(slo) ?? 0 };
  }
  return out;
}

/** What a card should say, computed here from the rule values (not by the dashboard's code). */
export function expectedCard(n: SloNumbers): CardText {
  const budget = n.objective === null ? null : 1 - n.objective;
  const burn = (ratio: N) => (ratio === null || budget === null ? null : ratio / budget);
  const burn6h = burn(n.errorRatio6h);
  const state =
    n.errorRatio30d === null || n.remaining === null ? 'no data' : n.remaining <= 0 ? 'breached' : n.firing > 0 || (burn6h ?? 0) > 1 ? 'at risk' : 'met';
  return {
    state: `${{ met: '✓', 'at risk': '!', breached: '✕', 'no data': '?' }[state]} ${state}`,
    sli: sliText(n.errorRatio30d === null ? null : 1 - n.errorRatio30d),
    objective: sliText(n.objective),
    budget: budgetText(n.remaining),
    'budget-minutes': minutesText(n.remaining === null || budget === null ? null : n.remaining * budget * WINDOW_MINUTES),
    'burn-1h': burnText(burn(n.errorRatio1h)),
    'burn-6h': burnText(burn6h),
  };
}
