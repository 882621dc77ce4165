/**
 * bench/queue.ts's output: markdown table rows printed as each rate finishes, the summary
 * of a ramp, and the section appended to bench/RESULTS.md (the same tables).
 */
import { directions, type TrafficSnapshot } from './traffic.ts';
import { BAR, TARGET_JOBS_PER_S, type RampSummary, type RateRow } from './verdict.ts';

const f = (x: number | null | undefined, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const cells = (xs: (string | number)[]) => `| ${xs.join(' | ')} |`;

export const rateHeader = [
  cells(['offered/s', 'completed/s', 'errors', 'broker CPU µs/job', 'dispatch p50 / p99 / max ms (broker queue wait p99 ≤)', 'broker CPU busy (others)', 'bench CPU busy (others), µs/job, send lag p99 ms', 'raw aedes µs/job-eq.', 'queue ÷ raw', 'bar']),
  cells(Array(10).fill('---')),
].join('\n');

const errorsOf = (r: RateRow) => {
  const e = Object.entries(r.errors).map(([k, n]) => `${n}×${k}`);
  if (r.dropped) e.push(`${r.dropped} dropped`);
  return e.length ? e.join(', ') : '0';
};

export function rateLine(r: RateRow): string {
  const d = r.dispatchMs;
  return cells([
    r.rate,
    f(r.completedPerS),
    errorsOf(r),
    f(r.brokerUsPerJob),
    `${f(d.p50, 2)} / ${f(d.p99, 2)} / ${f(d.max, 1)} (${f(r.brokerWaitP99Ms, 1)})`,
    `${pct(r.brokerCpuBusy)} (${pct(r.othersOnBrokerCpu)})`,
    `${pct(r.benchCpuBusy)} (${pct(r.othersOnBenchCpu)}), ${f(r.benchUsPerJob)}, ${f(r.sendLagMs.p99, 1)}`,
    f(r.raw.usPerJobEquivalent),
    `**${f(r.overRaw, 2)} ×**`,
    r.superseded ? '**fail**, other processes took the CPU: measured again' : r.pass ? 'pass' : '**fail**',
  ]);
}

export const trafficHeader = [cells(['offered/s', ...directions.map((d) => `${d} (per offered job × avg size)`), 'raw aedes: deliveries ÷ queue broker’s']), cells(Array(directions.length + 2).fill('---'))].join('\n');

const deliveries = (t: TrafficSnapshot) => t['broker→worker'].count + t['broker→api'].count;

/** Messages per offered job (refused ones included) and their average payload size, by direction. */
export function trafficLine(r: RateRow): string {
  const flows = directions.map((d) => {
    const fl = r.traffic[d];
    return fl.count ? `${f(fl.count / r.scheduled, 2)} × ${f(fl.bytes / fl.count)} B` : '0';
  });
  return cells([r.rate, ...flows, f(deliveries(r.raw.traffic) / deliveries(r.traffic), 3)]);
}

export function summaryLines(kind: string, s: RampSummary): string[] {
  if (s.ceiling === null) return [`**${kind}: no rate cleared the bar** (≥ ${BAR.completedShare * 100} % completed, p99 dispatch ≤ ${BAR.p99Ms} ms).`];
  return [
    `**${kind} jobs: ceiling ${s.ceiling} jobs/s** (the highest offered rate with ≥ ${BAR.completedShare * 100} % completed and p99 dispatch latency ≤ ${BAR.p99Ms} ms).`,
    `Broker CPU at the ceiling: **${f(s.brokerUsPerJobAtCeiling)} µs per job** (were CPU the only limit, one broker core would carry ${f(s.cpuBoundJobsPerS)} jobs/s).`,
    `p99 dispatch latency at ${s.at70!.rate}/s, the rate nearest 70 % of the ceiling: **${f(s.at70!.p99Ms, 2)} ms**.`,
    `Shards for 10,000 jobs/s with 20 % headroom: ceil(${TARGET_JOBS_PER_S} / ${s.ceiling}) = **${s.shards}**.`,
    ...(s.failedBelow.length ? [`Caution: ${s.failedBelow.map((r) => `${r}/s`).join(', ')}, below the ceiling, failed the bar in this run.`] : []),
  ];
}

export interface KindResult {
  kind: string;
  rows: RateRow[];
  summary: RampSummary;
}

export interface RunDescription {
  heading: string;
  setup: string;
}

/** The RESULTS.md section: setup, then per job kind the rate and traffic tables and the summary. */
export function resultsSection(run: RunDescription, kinds: KindResult[]): string {
  const out = ['', run.heading, '', run.setup, ''];
  for (const k of kinds) {
    out.push(`**${k.kind} jobs**`, '', rateHeader, ...k.rows.map(rateLine), '', trafficHeader, ...k.rows.map(trafficLine), '', ...summaryLines(k.kind, k.summary).map((l) => `- ${l}`), '');
  }
  return out.join('\n');
}
