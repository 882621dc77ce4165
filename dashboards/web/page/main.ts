/**
 * The SLA page: reads the dashboard API, draws the cards, alerts, charts and chaos history,
 * and reads it all again every REFRESH_MS. When Prometheus is unreachable it says so in
 * place of the SLO parts; the chaos history, read from disk, still shows.
 */
import { rangeName, type Overview, type RangeName } from '../schema.ts';
import { fetchBurndown, fetchLatency, fetchOverview, fetchRuns } from './api.ts';
import { renderAlerts, renderCard } from './cards.ts';
import { renderBurndown, renderLatency } from './charts.ts';
import { renderHistory } from './history.ts';
import { byId, el } from './dom.ts';
import { whenText } from './format.ts';

const REFRESH_MS = 15_000;

function rangeNow(): RangeName {
  const r = rangeName.safeParse((byId('range') as HTMLSelectElement).value);
  return r.success ? r.data : '1h';
}

function renderOverview(o: Overview): void {
  byId('as-of').textContent = `as of ${whenText(o.at)}`;
  byId('as-of').setAttribute('data-at', o.at);
  const down = byId('prometheus-down');
  down.hidden = o.prometheus.up;
  for (const id of ['slo-section', 'alerts-section', 'charts-section']) byId(id).hidden = !o.prometheus.up;
  if (!o.prometheus.up) {
    down.replaceChildren(
      el('strong', {}, 'No SLO data: Prometheus is not reachable. '),
      `The page reads ${o.prometheus.url} and tries again every ${REFRESH_MS / 1000} s. Start the stack with `,
      el('code', {}, 'npm start'),
      ' or point the dashboard at a running Prometheus with ',
      el('code', {}, 'nines dashboard --prometheus URL'),
      '.',
    );
    return;
  }
  byId('cards').replaceChildren(...o.slos.map(renderCard));
  byId('alerts').replaceChildren(renderAlerts(o.alerts));
}

async function refresh(): Promise<void> {
  const range = rangeNow();
  const status = byId('status');
  try {
    const [o, runs] = await Promise.all([fetchOverview(), fetchRuns()]);
    renderOverview(o);
    byId('history').replaceChildren(renderHistory(runs));
    if (o.prometheus.up) {
      const [b, l] = await Promise.all([fetchBurndown(range), fetchLatency(range)]);
      renderBurndown(byId('burndown'), b);
      renderLatency(byId('latency'), l);
    }
    status.textContent = '';
    document.body.setAttribute('data-loaded', o.at);
  } catch (err) {
    status.textContent = `Could not read the dashboard API (${(err as Error).message}); retrying in ${REFRESH_MS / 1000} s.`;
  }
}

let redrawTimer: ReturnType<typeof setTimeout> | undefined;
byId('range').addEventListener('change', () => void refresh());
// Charts are drawn at the width they get; redraw after a resize settles.
addEventListener('resize', () => {
  clearTimeout(redrawTimer);
  redrawTimer = setTimeout(() => void refresh(), 300);
});
void refresh();
setInterval(() => void refresh(), REFRESH_MS);
