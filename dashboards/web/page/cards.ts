/** The SLO cards and the firing burn-rate alerts, in words. */
import type { AlertLine, SloCard, SloState } from '../schema.ts';
import { el } from './dom.ts';
import { budgetText, burnText, minutesText, sliText, whenText } from './format.ts';

/** A symbol beside every state word, so the state never rests on colour alone. */
const MARK: Record<SloState, string> = { met: '✓', 'at risk': '!', breached: '✕', 'no data': '?' };

function figure(field: string, label: string, value: string): HTMLElement {
  return el('div', { class: 'figure' }, el('dt', {}, label), el('dd', { 'data-field': field }, value));
}

export function renderCard(c: SloCard): HTMLElement {
  const state = c.state.replace(' ', '-');
  return el(
    'article',
    { class: `card state-${state}`, 'data-slo': c.slo },
    el('h3', {}, c.title),
    el('p', { class: 'state', 'data-field': 'state' }, el('span', { class: 'mark', 'aria-hidden': 'true' }, MARK[c.state]), ` ${c.state}`),
    el(
      'dl',
      {},
      figure('sli', 'SLI, 30 days', sliText(c.sli)),
      figure('objective', 'Objective', sliText(c.objective)),
      figure('budget', 'Error budget left', budgetText(c.budgetRemaining)),
      figure('budget-minutes', 'Budget left, time', minutesText(c.budgetRemainingMinutes)),
      figure('burn-1h', 'Burn rate, 1 h', burnText(c.burnRate1h)),
      figure('burn-6h', 'Burn rate, 6 h', burnText(c.burnRate6h)),
    ),
  );
}

export function renderAlerts(alerts: AlertLine[]): HTMLElement {
  if (alerts.length === 0) return el('p', { class: 'quiet', 'data-field': 'no-alerts' }, 'No burn-rate alert is firing.');
  return el(
    'ul',
    { class: 'alerts' },
    ...alerts.map((a) =>
      el('li', { class: `alert sev-${a.severity}`, 'data-alert': a.name, 'data-slo': a.slo }, el('strong', {}, a.severity === 'page' ? 'Paging: ' : 'Ticket: '), a.summary, a.since ? ` (since ${whenText(a.since)})` : ''),
    ),
  );
}
