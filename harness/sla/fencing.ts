/**
 * The split-brain checker: from the brokers' dispatch logs, proves that no two brokers
 * dispatched under a valid epoch of the same queue shard at the same time. Each shard has
 * its own lock and so its own epochs (its Consul LockIndex): epochs are ordered only within
 * a shard, and two shards may both have an epoch 7. Within a shard, each epoch must belong
 * to one broker, and every dispatch under an older epoch must come no later than the first
 * dispatch under any newer one. Pure: events in, one verdict per shard and their composition out.
 */
import type { DispatchEvent } from '../load/history.ts';
import { mergeVerdicts } from './core.ts';
import type { Verdict } from './types.ts';

/** A logged dispatch; its `t` is one clock for every broker (all run on one machine). */
export type Dispatch = DispatchEvent;

export interface EpochSpan {
  epoch: number;
  broker: string;
  first: number;
  last: number;
  dispatches: number;
}

/** One shard's verdict; its violations do not repeat the shard. */
export interface ShardFencing {
  shard: number;
  valid: Verdict;
  reason?: string;
  epochs: EpochSpan[];
  violations: string[];
}

/** Every shard's verdict composed (false if any is false, else unknown if any is unknown); violations name their shard. */
export interface FencingResult {
  valid: Verdict;
  reason?: string;
  epochs: Array<EpochSpan & { shard: number }>;
  violations: string[];
  shards: ShardFencing[];
}

/**
 * Judges each shard found in `events`, and each of 0..shards-1 when `shards` is given: a
 * shard expected but never dispatching is `unknown` (nothing was proved), never a pass.
 */
export function checkFencing(events: Dispatch[], o: { shards?: number } = {}): FencingResult {
  const byShard = groupBy(events, (e) => e.shard);
  for (let s = 0; s < (o.shards ?? 0); s++) if (!byShard.has(s)) byShard.set(s, []);
  if (byShard.size === 0) return { valid: 'unknown', reason: 'no dispatches were logged', epochs: [], violations: [], shards: [] };
  const shards = [...byShard.entries()].sort((a, b) => a[0] - b[0]).map(([s, es]) => checkShard(s, es));
  const unknown = shards.filter((s) => s.valid === 'unknown');
  return {
    valid: mergeVerdicts(shards.map((s) => s.valid)),
    ...(unknown.length ? { reason: unknown.map((s) => `shard ${s.shard}: ${s.reason}`).join('; ') } : {}),
    epochs: shards.flatMap((s) => s.epochs.map((e) => ({ shard: s.shard, ...e }))),
    violations: shards.flatMap((s) => s.violations.map((v) => `shard ${s.shard}: ${v}`)),
    shards,
  };
}

/** The result when the dispatch logs could not be read: every shard unknown, with `reason`. */
export function unjudgedFencing(shards: number, reason: string): FencingResult {
  const each = Array.from({ length: shards }, (_, shard): ShardFencing => ({ shard, valid: 'unknown', reason, epochs: [], violations: [] }));
  return { valid: 'unknown', reason, epochs: [], violations: [], shards: each };
}

/** The check within one shard, whose epochs are totally ordered. */
function checkShard(shard: number, events: Dispatch[]): ShardFencing {
  if (events.length === 0) return { shard, valid: 'unknown', reason: 'no dispatches were logged', epochs: [], violations: [] };
  const epochs = [...groupBy(events, (e) => e.epoch).entries()].sort((a, b) => a[0] - b[0]).map(([epoch, es]) => span(epoch, es));
  const violations: string[] = [];
  for (const e of epochs) {
    if (e.brokers.length > 1) violations.push(`epoch ${e.epoch} was used by several brokers: ${e.brokers.join(', ')}`);
  }
  for (let i = 0; i < epochs.length; i++) {
    for (let j = i + 1; j < epochs.length; j++) {
      const [a, b] = [epochs[i]!, epochs[j]!];
      if (a.last > b.first) violations.push(`epoch ${a.epoch} (${a.brokers.join(',')}) dispatched until ${a.last}, after epoch ${b.epoch} (${b.brokers.join(',')}) began at ${b.first}`);
    }
  }
  return { shard, valid: violations.length === 0, epochs: epochs.map(({ brokers, ...e }) => ({ ...e, broker: brokers.join(',') })), violations };
}

/** One epoch's brokers, first and last dispatch, and count (a loop, not Math.min(...): a run logs more dispatches than a call takes arguments). */
function span(epoch: number, events: Dispatch[]): Omit<EpochSpan, 'broker'> & { brokers: string[] } {
  let first = Infinity;
  let last = -Infinity;
  for (const e of events) {
    first = Math.min(first, e.t);
    last = Math.max(last, e.t);
  }
  return { epoch, brokers: [...new Set(events.map((e) => e.broker))], first, last, dispatches: events.length };
}

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T, K>(xs: T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}
