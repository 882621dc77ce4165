/** The chaos history: every stored run, newest first, each linking to its own report. */
import type { RunsList } from '../schema.ts';
import { el } from './dom.ts';
import { countText, secondsText, whenText } from './format.ts';

const VERDICT_MARK = { PASS: '✓', FAIL: '✕', UNKNOWN: '?' } as const;

export function renderHistory(list: RunsList): HTMLElement {
  if (list.runs.length === 0) {
    return el('p', { class: 'empty', 'data-empty': 'runs' }, 'No scenario runs stored yet. Run one, e.g. ', el('code', {}, 'nines scenario smoke'), ', and it appears here.');
  }
  const cell = (label: string, ...content: (Node | string)[]) => el('td', { 'data-label': label }, ...content);
  const rows = list.runs.map((r) =>
    el(
      'tr',
      { 'data-run': `${r.scenario}/${r.stamp}` },
      cell('Scenario', r.scenario, r.kind ? el('span', { class: 'kind' }, ` ${r.kind}`) : ''),
      cell('When', el('time', { datetime: r.startedAt }, whenText(r.startedAt))),
      cell('Verdict', el('span', { class: `verdict verdict-${r.verdict}`, 'data-field': 'verdict' }, `${VERDICT_MARK[r.verdict]} ${r.verdict}`)),
      cell('Failover', secondsText(r.failoverSeconds)),
      cell('Requests lost', countText(r.requestsLost)),
      cell('Report', el('a', { href: r.reportUrl }, 'report')),
    ),
  );
  const head = el('tr', {}, ...['Scenario', 'When', 'Verdict', 'Failover', 'Requests lost', 'Report'].map((h) => el('th', { scope: 'col' }, h)));
  const note = list.unreadable ? [el('p', { class: 'quiet' }, `${list.unreadable} run(s) with an unreadable report.json are not listed.`)] : [];
  return el('div', {}, el('table', { class: 'history' }, el('thead', {}, head), el('tbody', {}, ...rows)), ...note);
}
