/**
 * The report page's "server side vs client side" table: each SLI as Prometheus computed it
 * from the api's counters and as the load generator saw it (report.json `slis`,
 * harness/observe/slis.ts).
 */
import type { Sli, SliComparison } from '../observe/slis.ts';
import { esc } from './escape.ts';

const ratio = (s: Sli | undefined) => (s?.ratio == null ? '—' : `${(s.ratio * 100).toFixed(3)} % (${s.good} of ${s.total})`);

/** The section, or nothing when the run has no `slis` member. */
export function slisSection(slis: unknown): string {
  if (!slis || typeof slis !== 'object') return '';
  if ('error' in slis) return `<section><h2>Server side vs client side</h2><p class="empty">Prometheus's SLIs are missing: ${esc(String(slis.error))}</p></section>`;
  const c = slis as SliComparison;
  const row = (name: string, server: Sli | undefined, client: Sli | undefined, diff: number | null | undefined) =>
    `<tr><td><b>${esc(name)}</b></td><td class="num">${esc(ratio(server))}</td><td class="num">${esc(ratio(client))}</td><td class="num">${esc(diff == null ? '—' : `${diff.toFixed(2)} pp`)}</td></tr>`;
  const rows = [
    row('availability (5xx, timeouts and drops count against; 4xx do not)', c.server.availability, c.client.availability, c.differencePp.availability),
    row('latency (images under 1 MB within 500 ms)', c.server.latency, c.client.latency, c.differencePp.latency),
    row('api-availability (the api tier’s own errors)', c.server['api-availability'], undefined, null),
  ].join('');
  return `<section><h2>Server side vs client side</h2><p>Prometheus, from the api's counters ${esc(c.window.from)} – ${esc(c.window.to)}; the load generator, from its history.</p><table><thead><tr><th>SLI</th><th class="num">Prometheus</th><th class="num">Load generator</th><th class="num">Difference</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
