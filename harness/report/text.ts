/**
 * A verdict as terminal lines: one row per check (PASS / FAIL / UNKNOWN, the bound, what was
 * observed, why), then the scenario's own figures (failover, capacity, fencing). The runner
 * prints it at the end of a run and `nines verdict` prints it for a stored history, so the
 * two can be compared line by line.
 */
import type { RunResults } from '../sla/judge.ts';
import type { CheckResult, SlaVerdict } from '../sla/types.ts';
import { fmt } from '../sla/format.ts';
import { verdictLabel } from './model.ts';

function observedText(o: CheckResult['observed']): string {
  if (o === undefined) return '';
  if (typeof o === 'number') return fmt(o);
  const v = (o as { value?: unknown }).value;
  return typeof v === 'number' ? fmt(v) : '';
}

function checkLine(r: CheckResult): string {
  const observed = observedText(r.observed);
  const parts = [`  ${verdictLabel(r.valid).padEnd(7)} ${r.name}`];
  if (r.threshold) parts.push(`[${r.threshold}]`);
  if (observed) parts.push(`observed ${observed}`);
  if (r.reason && r.valid !== true) parts.push(`— ${r.reason}`);
  return parts.join(' ');
}

function resultLines(x: RunResults): string[] {
  const out: string[] = [];
  if (x.failover) {
    const s = x.failover.seconds === null ? 'no new leader seen' : `${fmt(x.failover.seconds)} s`;
    out.push(`failover of queue shard ${x.failover.shard}: ${s}; accepted requests lost or hung: ${x.failover.lostAccepted}`);
  }
  if (x.capacity) {
    const c = x.capacity;
    out.push(
      `capacity: ${fmt(c.sustainedRate)} resizes/s held within SLA for ${c.windowS} s on ${c.cores} cores (${fmt(c.perCore)}/core; peak ${fmt(c.peakRate)}/s); ` +
        `tip-over at ${c.tipOverOffered ?? 'not reached'} offered/s; ${fmt(c.fleet.target)}/s with ${fmt(c.fleet.headroom * 100)} % headroom needs ${c.fleet.machines} such machines`,
    );
  }
  if (x.fencing) out.push(`fencing: ${verdictLabel(x.fencing.valid)} over ${x.fencing.shards.length} queue shard(s), ${x.fencing.epochs.length} epoch(s)`);
  return out;
}

/** The verdict line, one line per check, and the scenario's figures. */
export function verdictLines(v: SlaVerdict, results: RunResults): string[] {
  return [`verdict: ${verdictLabel(v.valid)}`, ...v.results.map(checkLine), ...resultLines(results)];
}
