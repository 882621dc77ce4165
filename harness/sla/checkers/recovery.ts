/**
 * Time to recover after each fault. Overlapping fault windows are one episode (recovery
 * from the first cannot start while the second is still active). For an episode ending
 * at `endMs`, recovery is at the first second r, from the second holding endMs on, such
 * that seconds r … r+N−1 are all *good*: they had traffic, availability ≥ minAvailability
 * and, when given, the latency bound held. Recovery time = max(0, r·1000 − endMs) / 1000,
 * so a system that never degraded recovers in 0 s; the resolution is one second.
 *
 * It passes when recovery ≤ maxSeconds and fails only when every candidate second up to
 * the bound is refuted by a *bad* second (traffic that missed the bounds). A second
 * without traffic refutes nothing, and the run ending (or the next fault starting) before
 * N seconds could be seen leaves the episode `unknown`.
 */
import type { FaultWindow, History, SecondBucket } from '../../load/history.ts';
import { fmt, pct } from '../format.ts';
import { decodeLatency, denseSeconds, latencyAggregate, secondCounts } from '../series.ts';
import type { RecoverySla } from '../spec.ts';
import { holds } from '../threshold.ts';
import type { Checker, CheckResult, Verdict } from '../types.ts';
import { mergeVerdicts } from '../core.ts';

export interface Episode {
  /** Names of the fault windows merged into this episode. */
  faults: string[];
  startMs: number;
  /** Undefined when a fault was still active at the end of the run. */
  endMs?: number;
}

export interface EpisodeRecovery {
  fault: string;
  endMs: number | null;
  /** Seconds from the end of the fault to recovery; null when no recovery was seen. */
  recoverySeconds: number | null;
  valid: Verdict;
  reason?: string;
}

/** Fault windows merged into episodes where they overlap or touch, in time order. */
export function faultEpisodes(faults: readonly FaultWindow[]): Episode[] {
  const sorted = [...faults].sort((a, b) => a.startMs - b.startMs);
  const out: Episode[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && (last.endMs === undefined || f.startMs <= last.endMs)) {
      last.faults.push(f.name);
      if (last.endMs !== undefined) {
        if (f.endMs === undefined) delete last.endMs;
        else last.endMs = Math.max(last.endMs, f.endMs);
      }
    } else {
      out.push({ faults: [f.name], startMs: f.startMs, ...(f.endMs === undefined ? {} : { endMs: f.endMs }) });
    }
  }
  return out;
}

type Health = 'good' | 'bad' | 'empty';

function health(b: SecondBucket, sla: RecoverySla): Health {
  const c = secondCounts(b);
  if (c.scheduled === 0) return 'empty';
  if (c.ok / c.scheduled < sla.minAvailability) return 'bad';
  if (sla.latency) {
    const enc = b.latency?.[sla.latency.sizeClass];
    const h = enc === undefined ? null : decodeLatency(enc, `at second ${b.t}`);
    // Availability held, so the class simply had no requests this second: nothing to judge.
    if (!h || h.totalCount === 0) return 'empty';
    if (!holds(sla.latency.threshold, latencyAggregate(h, sla.latency.threshold))) return 'bad';
  }
  return 'good';
}

/** Judges recovery from one episode, looking only at seconds before `horizon` (exclusive). */
export function judgeEpisode(secs: readonly SecondBucket[], ep: Episode, horizon: number, sla: RecoverySla): EpisodeRecovery {
  const fault = ep.faults.join(' + ');
  if (ep.endMs === undefined) {
    return { fault, endMs: null, recoverySeconds: null, valid: 'unknown', reason: `${fault} was still active at the end of the run` };
  }
  const endMs = ep.endMs;
  const n = sla.stableSeconds;
  const first = Math.floor(endMs / 1000);
  // The last candidate second whose start is within maxSeconds of the fault's end.
  const bound = Math.floor((endMs + sla.maxSeconds * 1000) / 1000);
  const end = horizon >= secs.length ? 'the run ended' : 'the next fault began';
  const memo = new Map<number, Health>();
  const at = (t: number): Health => {
    let h = memo.get(t);
    if (h === undefined) memo.set(t, (h = health(secs[t]!, sla)));
    return h;
  };
  // A candidate is recovered (n good seconds), refuted (a bad second), or undetermined (why).
  const classify = (r: number): true | false | string => {
    let why: string | null = null;
    for (let t = r; t < r + n; t++) {
      if (t >= horizon) return why ?? end;
      const h = at(t);
      if (h === 'bad') return false;
      if (h === 'empty') why ??= `second ${t} had no traffic`;
    }
    return why ?? true;
  };
  let recoveredAt: number | null = null;
  let undetermined: string | null = null;
  for (let r = first; r <= Math.max(bound, horizon - 1); r++) {
    const c = r < horizon ? classify(r) : end;
    if (c === true) {
      recoveredAt = r;
      break;
    }
    if (typeof c === 'string' && r <= bound) undetermined ??= c;
    if (r >= horizon) break;
  }
  const after = (r: number) => Math.max(0, r * 1000 - endMs) / 1000;
  const recoverySeconds = recoveredAt === null ? null : after(recoveredAt);
  const ended = `${fault} ended at ${fmt(endMs / 1000)} s`;
  if (recoveredAt !== null && recoveredAt <= bound) return { fault, endMs, recoverySeconds, valid: true };
  if (undetermined !== null) {
    return {
      fault,
      endMs,
      recoverySeconds,
      valid: 'unknown',
      reason: `${ended}; recovery cannot be judged because ${undetermined} (need ${n} s of traffic starting within ${fmt(sla.maxSeconds)} s)`,
    };
  }
  return {
    fault,
    endMs,
    recoverySeconds,
    valid: false,
    reason:
      recoverySeconds === null
        ? `${ended}; not recovered by the time ${end} (${fmt(sla.maxSeconds)} s allowed)`
        : `${ended}; recovered after ${fmt(recoverySeconds)} s > ${fmt(sla.maxSeconds)} s`,
  };
}

/** Checks that the service recovers within maxSeconds after every (selected) fault episode; unknown when it cannot be seen. */
export function recoveryChecker(sla: RecoverySla): Checker {
  const name = sla.label ?? 'recovery after faults';
  const bounds = [`availability ≥ ${pct(sla.minAvailability)}`];
  if (sla.latency) bounds.push(`${sla.latency.threshold.source} ms (${sla.latency.sizeClass})`);
  const threshold = `≤ ${fmt(sla.maxSeconds)} s until ${sla.stableSeconds} s in a row at ${bounds.join(', ')}`;
  return {
    name,
    threshold,
    check(history: History): CheckResult {
      const base = { name, threshold };
      const secs = denseSeconds(history);
      const episodes = faultEpisodes(history.faults);
      const wanted = sla.faults;
      const judged = wanted ? episodes.filter((e) => e.faults.some((f) => wanted.includes(f))) : episodes;
      const missing = (wanted ?? []).filter((f) => !history.faults.some((w) => w.name === f));
      if (judged.length === 0) {
        return { ...base, valid: 'unknown', reason: wanted ? `none of the faults ${wanted.join(', ')} happened in this run` : 'no fault window in this run to recover from' };
      }
      const results = judged.map((ep) => {
        const next = episodes.find((e) => e.startMs > ep.startMs);
        const horizon = next ? Math.min(secs.length, Math.floor(next.startMs / 1000)) : secs.length;
        return judgeEpisode(secs, ep, horizon, sla);
      });
      for (const f of missing) results.push({ fault: f, endMs: null, recoverySeconds: null, valid: 'unknown', reason: `fault ${f} did not happen in this run` });
      const known = results.map((r) => r.recoverySeconds).filter((x): x is number => x !== null);
      const observed = { value: known.length ? Math.max(...known) : null, unit: 's', episodes: results };
      const valid = mergeVerdicts(results.map((r) => r.valid));
      const reasons = results.filter((r) => r.valid === valid && r.reason).map((r) => r.reason);
      return { ...base, valid, observed, ...(valid === true ? {} : { reason: reasons.join('; ') }) };
    },
  };
}
