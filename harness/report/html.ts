/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no external
 * resources) that a stakeholder can open from disk or an artifact store. Every string
 * from the history, scenario or extra goes through `esc`.
 */
import type { History } from '../load/history.ts';
import { fmt, pct } from '../sla/format.ts';
import { denseSeconds } from '../sla/series.ts';
import { parseSlas, type Sla } from '../sla/spec.ts';
import type { CheckResult } from '../sla/types.ts';
import { latencyChart, throughputChart, type RefLine } from './charts.ts';
import { esc } from './escape.ts';
import { slisSection } from './slis-section.ts';
import { verdictLabel, type Report } from './model.ts';
import { STYLE } from './page-style.ts';
import { timeLabel } from './svg.ts';

const CORE = new Set(['format', 'scenario', 'seed', 'startedAt', 'settings', 'definition', 'valid', 'verdict', 'checks', 'figures']);
const MAX_LATENCY_CHARTS = 3;

const pill = (v: CheckResult['valid']) => {
  const l = verdictLabel(v);
  return `<span class="pill ${l.toLowerCase()}">${l}</span>`;
};

const seconds = (s: number) => `${fmt(s)} s`;
// Counts with thousands separators; `en-US` so a report reads the same on every machine.
const count = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : fmt(n));
const ms = (v: number) => (v >= 1000 ? `${fmt(v / 1000)} s` : `${fmt(v)} ms`);

/** The observed figure of a check as a person reads it, plus a muted line of detail. */
export function formatObserved(o: CheckResult['observed']): { main: string; detail: string } {
  if (o === undefined) return { main: '—', detail: '' };
  if (typeof o === 'number') return { main: fmt(o), detail: '' };
  const v = o['value'];
  const unit = o['unit'];
  let main = '—';
  if (typeof v === 'number') {
    main = unit === 'ratio' ? pct(v) : unit === 'ms' ? ms(v) : unit === 's' ? seconds(v) : fmt(v);
  }
  const d: string[] = [];
  const n = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  if (n('samples') !== undefined) d.push(`${n('samples')} samples`);
  if (n('failed') !== undefined && n('completed') !== undefined) d.push(`${n('failed')} of ${n('completed')} completed failed`);
  if (n('dropped') !== undefined && n('scheduled') !== undefined) d.push(`${n('dropped')} of ${n('scheduled')} dropped`);
  const w = o['worstWindow'] as { startS?: number; endS?: number; ok?: number; scheduled?: number } | undefined;
  if (w && typeof w.startS === 'number') d.push(`worst window ${w.startS}–${w.endS} s: ${w.ok} of ${w.scheduled} served`);
  if (n('emptyWindows')) d.push(`${n('emptyWindows')} windows without traffic`);
  if (n('minutesPerMonthAtThisRate') !== undefined) {
    d.push(`failure rate ${pct(n('failureRate') ?? 0)} ≈ ${fmt(n('minutesPerMonthAtThisRate')!)} of ${fmt(n('budgetMinutesPerMonth') ?? 0)} min/month`);
  }
  const eps = o['episodes'];
  if (Array.isArray(eps)) {
    for (const e of eps as Array<{ fault: string; recoverySeconds: number | null }>) {
      d.push(`${e.fault}: ${e.recoverySeconds === null ? 'not seen' : seconds(e.recoverySeconds)}`);
    }
  }
  return { main, detail: d.join(' · ') };
}

function header(r: Report): string {
  const failed = r.checks.filter((c) => c.valid === false).length;
  const unknown = r.checks.filter((c) => c.valid === 'unknown').length;
  const summary =
    failed > 0
      ? `${failed} of ${r.checks.length} SLAs failed${unknown ? `, ${unknown} could not be judged` : ''}`
      : unknown > 0
        ? `${unknown} of ${r.checks.length} SLAs could not be judged`
        : `All ${r.checks.length} SLAs held`;
  const target = r.figures.targetRate === null ? '' : `<span>target ${fmt(r.figures.targetRate)} req/s</span>`;
  return `<header class="top"><div><p class="eyebrow">nines · SLA run report</p><h1>${esc(r.scenario)}</h1>
<p class="meta"><span>seed <b class="mono">${esc(r.seed)}</b></span><span>started ${esc(r.startedAt)}</span><span>${esc(timeLabel(r.figures.durationS))} run</span>${target}</p></div>
<div class="verdict"><span class="badge ${r.verdict.toLowerCase()}" data-verdict="${r.verdict}">${r.verdict}</span><p>${esc(summary)}</p></div></header>`;
}

// How a stakeholder reads the share: of the monthly budget, or how many budgets over.
function budgetNote(b: Report['figures']['errorBudget']): string {
  if (!b) return 'no requests';
  const of = `${fmt(b.budgetMinutesPerMonth)} min/month at ${pct(b.slo)}`;
  return b.share > 1 ? `${fmt(b.share)}× the budget of ${of}, if sustained` : `of ${of}, if sustained`;
}

function cards(r: Report): string {
  const f = r.figures;
  const card = (k: string, v: string, s = '', raw = false) => `<div class="card"><div class="k${raw ? ' raw' : ''}">${esc(k)}</div><div class="v">${esc(v)}</div><div class="s">${esc(s)}</div></div>`;
  const lat = f.latency['all'] ?? Object.values(f.latency)[0];
  const latClass = f.latency['all'] ? 'all' : Object.keys(f.latency)[0];
  const out = [
    card('Requests', count(f.requests.scheduled), `${count(f.requests.ok)} ok · ${count(f.requests.failed)} failed · ${count(f.requests.dropped)} dropped`),
    card('Achieved rate', `${fmt(f.achievedRate)}/s`, f.targetRate === null ? 'completed requests per second' : `of ${fmt(f.targetRate)}/s target`),
    card('p99 latency', lat ? ms(lat.p99) : '—', lat ? `p50 ${ms(lat.p50)} · max ${ms(lat.max)} (${latClass})` : 'no samples'),
    card('Availability', f.availability === null ? '—' : pct(f.availability), 'served / scheduled, whole run'),
    card('Error budget spent', f.errorBudget ? pct(f.errorBudget.share) : '—', budgetNote(f.errorBudget)),
  ];
  // Only the measurements an SLA names get a card; the engine's own figures go under Run details.
  const named = new Set(slasOf(r.definition).flatMap((s) => (s.metric === 'measurement' ? [s.name] : [])));
  for (const [k, v] of Object.entries(f.measurements)) if (named.has(k)) out.push(card(k, fmt(v), 'measured by probe', true));
  return `<div class="cards">${out.join('')}</div>`;
}

function slaTable(r: Report): string {
  if (r.checks.length === 0) return `<section><h2>Service level objectives</h2><p class="empty">No SLAs were checked.</p></section>`;
  const rows = r.checks.map((c) => {
    const o = formatObserved(c.observed);
    const cls = verdictLabel(c.valid).toLowerCase();
    return `<tr class="sla-row ${cls}" data-sla="${esc(c.name)}"><td><b>${esc(c.name)}</b></td><td><code>${esc(c.threshold ?? '')}</code></td><td class="num">${esc(o.main)}${o.detail ? `<div class="detail">${esc(o.detail)}</div>` : ''}</td><td>${pill(c.valid)}</td><td>${esc(c.reason ?? '')}</td></tr>`;
  });
  return `<section><h2>Service level objectives</h2><table class="sla"><thead><tr><th>SLA</th><th>Threshold</th><th class="num">Observed</th><th>Verdict</th><th>Reason</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

// The scenario's SLAs, when it passed a valid list; the page only uses them for decoration.
function slasOf(definition: unknown): Sla[] {
  const slas = (definition as { slas?: unknown } | null | undefined)?.slas;
  if (slas === undefined) return [];
  try {
    return parseSlas(slas);
  } catch {
    return [];
  }
}

// Latency SLAs drawn as reference lines on the chart of their size class.
function refLines(definition: unknown, sizeClass: string): RefLine[] {
  return slasOf(definition).flatMap((s) =>
    s.metric === 'latency' && s.sizeClass === sizeClass && s.threshold.aggregation !== 'min' && s.threshold.op.startsWith('<')
      ? [{ label: `SLA ${s.threshold.source} ms`, ms: s.threshold.value }]
      : [],
  );
}

function latencySection(r: Report, h: History): string {
  const classes = Object.keys(r.figures.latency).sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)));
  const legend = `<div class="legend"><span><i class="p50"></i>p50</span><span><i class="p90"></i>p90</span><span><i class="p99"></i>p99</span><span><i class="ref"></i>SLA bound</span><span><i class="box fault"></i>fault window</span></div>`;
  const charts = classes.slice(0, MAX_LATENCY_CHARTS).map((c) => {
    const f = r.figures.latency[c]!;
    return `<h3>Size class ${esc(c)} — ${esc(count(f.count))} requests, p50 ${esc(ms(f.p50))}, p99 ${esc(ms(f.p99))}, p99.9 ${esc(ms(f.p999))}</h3>${latencyChart(h, c, refLines(r.definition, c))}`;
  });
  const body = charts.length ? legend + charts.join('') : '<p class="empty">No latency samples in this run.</p>';
  return `<section><h2>Latency over time</h2>${body}</section>`;
}

function throughputSection(h: History): string {
  const legend = `<div class="legend"><span><i class="box ok"></i>ok</span><span><i class="box failed"></i>failed</span><span><i class="box dropped"></i>dropped</span><span><i class="box fault"></i>fault window</span></div>`;
  return `<section><h2>Throughput over time</h2>${legend}${throughputChart(h)}</section>`;
}

function failuresSection(r: Report, h: History): string {
  const secs = denseSeconds(h);
  const inFault = (t: number) => h.faults.some((f) => f.startMs < (t + 1) * 1000 && (f.endMs === undefined || f.endMs > t * 1000));
  const outcome = new Map<string, Set<string>>();
  for (const f of h.failures) (outcome.get(f.kind) ?? outcome.set(f.kind, new Set()).get(f.kind)!).add(f.outcome);
  const rows: Array<{ kind: string; outcome: string; count: number; during: number; first: number; last: number }> = [];
  const add = (kind: string, out: string, per: (t: number) => number) => {
    let count = 0;
    let during = 0;
    let first = -1;
    let last = -1;
    for (let t = 0; t < secs.length; t++) {
      const n = per(t);
      if (!n) continue;
      count += n;
      if (inFault(t)) during += n;
      if (first < 0) first = t;
      last = t;
    }
    if (count) rows.push({ kind, outcome: out, count, during, first, last });
  };
  for (const kind of Object.keys(r.figures.failuresByKind)) {
    add(kind, [...(outcome.get(kind) ?? [])].sort().join(', ') || 'fail/info', (t) => secs[t]!.failed?.[kind] ?? 0);
  }
  add('dropped', 'dropped', (t) => secs[t]!.dropped);
  rows.sort((a, b) => b.count - a.count);
  const total = r.figures.requests.scheduled;
  const body = rows.length
    ? `<table class="failures"><thead><tr><th>Kind</th><th>Outcome</th><th class="num">Count</th><th class="num">Share of requests</th><th class="num">During faults</th><th class="num">First – last second</th></tr></thead><tbody>${rows
        .map(
          (x) =>
            `<tr data-kind="${esc(x.kind)}"><td><code>${esc(x.kind)}</code></td><td>${esc(x.outcome)}</td><td class="num">${esc(count(x.count))}</td><td class="num">${esc(total ? pct(x.count / total) : '—')}</td><td class="num">${esc(count(x.during))}</td><td class="num">${esc(`${x.first} – ${x.last}`)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="empty">No failed or dropped requests.</p>';
  return `<section><h2>Failures by kind</h2>${body}</section>`;
}

function faultsSection(r: Report): string {
  if (r.figures.faults.length === 0) return '';
  const rows = r.figures.faults
    .map(
      (f) =>
        `<tr class="fault-row" data-fault="${esc(f.name)}"><td><b>${esc(f.name)}</b></td><td class="num">${esc(seconds(f.startS))}</td><td class="num">${esc(f.endS === null ? 'not healed' : seconds(f.endS))}</td><td class="num">${esc(f.durationS === null ? '—' : seconds(f.durationS))}</td></tr>`,
    )
    .join('');
  return `<section><h2>Fault timeline</h2><table><thead><tr><th>Fault</th><th class="num">Start</th><th class="num">End</th><th class="num">Duration</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function detailsSection(r: Report): string {
  const dl = (o: Record<string, unknown>) =>
    `<dl>${Object.entries(o)
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))}</dd>`)
      .join('')}</dl>`;
  const extra = Object.fromEntries(Object.entries(r).filter(([k]) => !CORE.has(k)));
  const parts = [`<h3>Settings</h3>${Object.keys(r.settings).length ? dl(r.settings) : '<p class="empty">none recorded</p>'}`];
  if (Object.keys(r.figures.measurements).length) parts.push(`<h3>Measurements</h3>${dl(r.figures.measurements)}`);
  if (Object.keys(extra).length) parts.push(`<h3>Scenario results</h3><pre class="extra">${esc(JSON.stringify(extra, null, 2))}</pre>`);
  if (r.definition !== null && r.definition !== undefined) {
    parts.push(`<details><summary>Scenario definition</summary><pre>${esc(JSON.stringify(r.definition, null, 2))}</pre></details>`);
  }
  return `<section><h2>Run details</h2>${parts.join('')}</section>`;
}

/** The whole report page for a run; pure, so tests can inspect it without touching disk. */
export function renderHtml(report: Report, history: History): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`${report.verdict} · ${report.scenario} · nines`)}</title><style>${STYLE}</style></head>
<body><main>
${header(report)}
${cards(report)}
${slaTable(report)}
${slisSection(report['slis'])}
${latencySection(report, history)}
${throughputSection(history)}
${failuresSection(report, history)}
${faultsSection(report)}
${detailsSection(report)}
<footer>nines harness · seed ${esc(report.seed)} repeats this run · raw data in <a href="history.jsonl">history.jsonl</a> and <a href="report.json">report.json</a></footer>
</main></body></html>
`;
}
