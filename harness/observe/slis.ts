/**
 * A run's SLIs seen from both sides: the server side from Prometheus (the api's own
 * counters, selected exactly as the SLO rules select them, dashboards/slos.ts) and the
 * client side from the load generator's history, counted by the same definition (4xx are
 * the client's, harness/sla/slo-counts.ts). report.json carries both and their difference.
 *
 * The server figures are counter differences between the last scrape before the load and
 * a scrape after it, not rate() over the run: rate() extrapolates and misses the first
 * increment of a series born mid-run (prom-client exports a labelled counter only once it
 * is incremented), which would hide exactly the errors a fault causes.
 */
import type { History } from '../load/history.ts';
import { sloTotals } from '../sla/slo-counts.ts';
import { mergedLatency, type Histogram } from '../sla/series.ts';
import { slos, type Slo, type SloName } from '../../dashboards/slos.ts';
import { pollUntil } from '../stack/poll.ts';
import { instantQuery, scrapeTargets } from './prometheus-api.ts';

export interface Sli {
  good: number;
  total: number;
  /** good / total; null without events. */
  ratio: number | null;
}

export interface SliComparison {
  /** Prometheus's window: from the last scrape before the load to one after it (ISO). */
  window: { from: string; to: string };
  server: Partial<Record<SloName, Sli>>;
  client: {
    availability: Sli;
    latency: Sli;
    /**
     * The client's share of small-image requests within the api histogram's bucket bounds
     * either side of 500 ms (0.4 s and 0.75 s, system/api/metrics.ts): the client measures
     * from the intended send time through HAProxy, so a request the api answered in 480 ms
     * may take 520 ms here. The server's figure agrees when it lies in this bracket.
     */
    latencyBracket: { atOrBelow400ms: number | null; atOrBelow750ms: number | null };
  };
  /** Prometheus's scrape targets at the end, `job/instance` → health: every process should be `up`. */
  targets: Record<string, string>;
  /** server − client, in percentage points, where both exist. */
  differencePp: { availability: number | null; latency: number | null };
}

const LATENCY_SLO_MS = 500;
const sli = (good: number, total: number): Sli => ({ good, total, ratio: total > 0 ? good / total : null });

/**
 * The harness's own SLIs: availability over every scheduled request and every failover-probe
 * request sent from second 0 on (the api counts the probe's requests too, and without them a
 * quick chaos run's one failed request out of 180 is 0.56 points against the server's 520),
 * latency over the load's requests for images under 1 MB.
 */
export function clientSlis(history: History): SliComparison['client'] {
  const load = sloTotals(history.seconds);
  const probe = (history.probe ?? []).filter((p) => p.at >= 0);
  const served = probe.filter((p) => p.status >= 200 && p.status < 500).length; // a 4xx is the client's (slo-counts.ts)
  const c = { ok: load.ok + served, scheduled: load.scheduled + probe.length };
  const h = mergedLatency(history.seconds, 'lt1mb');
  const total = h?.totalCount ?? 0;
  const share = (ms: number) => (h ? shareAtOrBelow(h, ms * 1000) : null);
  return {
    availability: sli(c.ok, c.scheduled),
    latency: sli(Math.round((share(LATENCY_SLO_MS) ?? 0) * total), total),
    latencyBracket: { atOrBelow400ms: share(400), atOrBelow750ms: share(750) },
  };
}

/** The share of a histogram's samples at or below `us`, by bisecting its percentiles (HDR's 3-digit precision). */
function shareAtOrBelow(h: Histogram, us: number): number {
  if (h.maxValue <= us) return 1;
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (h.getValueAtPercentile(mid) <= us) lo = mid;
    else hi = mid;
  }
  return lo / 100;
}

const sumAt = async (url: string, selector: string, time: number): Promise<number> => (await instantQuery(url, `sum(${selector})`, time))[0]?.value ?? 0;

async function countsAt(url: string, s: Slo, time: number): Promise<{ bad: number; all: number }> {
  const [bad, minus, all] = await Promise.all([sumAt(url, s.bad, time), s.badMinus ? sumAt(url, s.badMinus, time) : 0, sumAt(url, s.all, time)]);
  return { bad: bad - minus, all };
}

/** Waits until every api server has been scraped after `afterMs`, so the counters include the whole run; returns that time. */
async function scrapedAfter(url: string, afterMs: number): Promise<number> {
  await pollUntil(
    async () => {
      const ts = await instantQuery(url, 'timestamp(up{job="nines-api"})').catch(() => []);
      return ts.length > 0 && ts.every((s) => s.value * 1000 > afterMs) ? true : undefined;
    },
    { timeoutMs: 15_000, everyMs: 250, what: 'a Prometheus scrape of every api server after the load ended' },
  );
  return Date.now();
}

/** Every SLO's good/total events the api counted between `fromMs` and the first scrape after `toMs`. */
export async function serverSlis(url: string, fromMs: number, toMs: number): Promise<{ window: SliComparison['window']; server: SliComparison['server'] }> {
  const end = await scrapedAfter(url, toMs);
  const server: SliComparison['server'] = {};
  for (const s of slos) {
    const [a, b] = await Promise.all([countsAt(url, s, fromMs), countsAt(url, s, end)]);
    const all = b.all - a.all;
    server[s.name] = sli(all - (b.bad - a.bad), all);
  }
  return { window: { from: new Date(fromMs).toISOString(), to: new Date(end).toISOString() }, server };
}

const pp = (a: Sli | undefined, b: Sli): number | null => (a?.ratio == null || b.ratio === null ? null : Math.round((a.ratio - b.ratio) * 1e6) / 1e4);

/**
 * Both sides for a run whose load went from `fromMs` to `toMs`; `{ error }` instead when
 * Prometheus could not be asked (the run's verdict does not depend on it).
 */
export async function compareSlis(prometheusUrl: string | undefined, fromMs: number, toMs: number, history: History): Promise<SliComparison | { error: string }> {
  if (!prometheusUrl) return { error: 'no Prometheus ran with this topology' };
  try {
    const { window, server } = await serverSlis(prometheusUrl, fromMs, toMs);
    const client = clientSlis(history);
    const targets = Object.fromEntries((await scrapeTargets(prometheusUrl)).map((t) => [`${t.job}/${t.instance}`, t.health]));
    return { window, server, client, targets, differencePp: { availability: pp(server.availability, client.availability), latency: pp(server.latency, client.latency) } };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
