/**
 * A run's headline figures, computed from its History alone (so a stored history can be
 * summarised again later): rates, outcome counts and latency percentiles over all seconds.
 */
import { addEncoded, percentilesMs, type LatencyMs } from './histogram.ts';
import type { History } from './history.ts';

export interface Summary {
  /** Requests actually sent per second of the profile's duration (or of the time it ran, when stopped early). */
  achievedRate: number;
  /** The rate the profile asked for, averaged over its duration. */
  targetRate: number;
  durationS: number;
  /** Requests sent (not dropped). */
  requests: number;
  /** Requests scheduled: sent + dropped. */
  scheduled: number;
  ok: number;
  failed: number;
  dropped: number;
  /** `ok` plus every failure kind (`http_503`, `timeout`, `econnrefused`, …). */
  statusCounts: Record<string, number>;
  /** Latency from intended send time to outcome, over every sent request. */
  latencyMs: LatencyMs;
  /** The same per size class, when requests were tagged with one. */
  byClass?: Record<string, LatencyMs>;
}

/** Summarises a History: sums its seconds and merges their histograms. */
export function summarize(h: History): Summary {
  let requests = 0;
  let ok = 0;
  let dropped = 0;
  const statusCounts: Record<string, number> = { ok: 0 };
  const byClass = new Map<string, string[]>();
  for (const s of h.seconds) {
    requests += s.sent;
    ok += s.ok;
    dropped += s.dropped;
    for (const [k, n] of Object.entries(s.failed)) statusCounts[k] = (statusCounts[k] ?? 0) + n;
    for (const [cls, enc] of Object.entries(s.latency)) {
      const list = byClass.get(cls);
      if (list) list.push(enc);
      else byClass.set(cls, [enc]);
    }
  }
  statusCounts.ok = ok;
  const failed = Object.entries(statusCounts).reduce((sum, [k, n]) => (k === 'ok' ? sum : sum + n), 0);
  const percentiles = (cls: string): LatencyMs => {
    const hist = addEncoded(byClass.get(cls) ?? []);
    const p = percentilesMs(hist);
    hist.destroy();
    return p;
  };
  const settingsDuration = Number(h.settings.durationS);
  const profileS = Number.isFinite(settingsDuration) && settingsDuration > 0 ? settingsDuration : Math.max(1, h.seconds.length);
  // A run stopped early (Ctrl-C, an aborted scenario) is rated over the time it ran.
  const stoppedAtMs = h.measurements?.stoppedAtMs;
  const stopped = stoppedAtMs !== undefined && stoppedAtMs / 1000 < profileS;
  const durationS = stopped ? Math.max(0.001, stoppedAtMs / 1000) : profileS;
  const scheduled = requests + dropped;
  const settingsRate = Number(h.settings.targetRate);
  const targetRate = !stopped && Number.isFinite(settingsRate) ? settingsRate : scheduled / durationS;
  const summary: Summary = {
    achievedRate: round(requests / durationS),
    targetRate: round(targetRate),
    durationS: round(durationS),
    requests,
    scheduled,
    ok,
    failed,
    dropped,
    statusCounts,
    latencyMs: percentiles('all'),
  };
  const classes = [...byClass.keys()].filter((c) => c !== 'all');
  if (classes.length) summary.byClass = Object.fromEntries(classes.map((c) => [c, percentiles(c)]));
  return summary;
}

const round = (x: number): number => Math.round(x * 100) / 100;
