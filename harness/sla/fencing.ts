/**
 * The split-brain checker: from the brokers' dispatch logs, proves that no two brokers
 * dispatched under a valid epoch at the same time. Epochs (Consul LockIndex) are totally
 * ordered; each must belong to one broker, and every dispatch under an older epoch must
 * come no later than the first dispatch under any newer one. Pure: events in, verdict out.
 */
export interface Dispatch {
  broker: string;
  epoch: number;
  /** Wall-clock ms (all brokers run on one machine, so one clock). */
  t: number;
}

export interface FencingResult {
  valid: boolean | 'unknown';
  reason?: string;
  epochs: Array<{ epoch: number; broker: string; first: number; last: number; dispatches: number }>;
  violations: string[];
}

export function checkFencing(events: Dispatch[]): FencingResult {
  if (events.length === 0) return { valid: 'unknown', reason: 'no dispatches were logged', epochs: [], violations: [] };
  const byEpoch = new Map<number, { brokers: Set<string>; first: number; last: number; dispatches: number }>();
  for (const e of events) {
    const s = byEpoch.get(e.epoch) ?? { brokers: new Set<string>(), first: Infinity, last: -Infinity, dispatches: 0 };
    s.brokers.add(e.broker);
    s.first = Math.min(s.first, e.t);
    s.last = Math.max(s.last, e.t);
    s.dispatches++;
    byEpoch.set(e.epoch, s);
  }
  const epochs = [...byEpoch.entries()].sort((a, b) => a[0] - b[0]);
  const violations: string[] = [];
  for (const [epoch, s] of epochs) {
    if (s.brokers.size > 1) violations.push(`epoch ${epoch} was used by several brokers: ${[...s.brokers].join(', ')}`);
  }
  for (let i = 0; i < epochs.length; i++) {
    for (let j = i + 1; j < epochs.length; j++) {
      const [older, a] = epochs[i]!;
      const [newer, b] = epochs[j]!;
      if (a.last > b.first) {
        violations.push(`epoch ${older} (${[...a.brokers].join(',')}) dispatched until ${a.last}, after epoch ${newer} (${[...b.brokers].join(',')}) began at ${b.first}`);
      }
    }
  }
  return {
    valid: violations.length === 0,
    epochs: epochs.map(([epoch, s]) => ({ epoch, broker: [...s.brokers].join(','), first: s.first, last: s.last, dispatches: s.dispatches })),
    violations,
  };
}
