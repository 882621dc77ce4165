/**
 * The broker's own view of queueing: `nines_broker_queue_wait_seconds` (enqueue to dispatch)
 * read from its /metrics before and after a phase. The simulated clients measure dispatch
 * latency end to end, which includes their own event-loop stalls (mark-compact steps of up
 * to 17 ms in the bench process, seen with --trace-gc); this is the part the broker adds by
 * holding a job, as the upper bound of the histogram bucket that holds its p99.
 */
type Buckets = Map<number, number>;

async function waitBuckets(brokerHttpUrl: string): Promise<Buckets> {
  const text = await (await fetch(`${brokerHttpUrl}/metrics`)).text();
  const out: Buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('nines_broker_queue_wait_seconds_bucket{')) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le) out.set(le === '+Inf' ? Infinity : Number(le), Number(line.split(' ').pop()));
  }
  return out;
}

/** Runs `phase` and returns its result with the broker-side queue wait p99 (ms, a bucket's upper bound). */
export async function withBrokerWait<T>(brokerHttpUrl: string, phase: () => Promise<T>): Promise<{ result: T; brokerWaitP99Ms: number }> {
  const before = await waitBuckets(brokerHttpUrl);
  const result = await phase();
  const after = await waitBuckets(brokerHttpUrl);
  const les = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const le = les.find((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0) >= 0.99 * total) ?? Infinity;
  return { result, brokerWaitP99Ms: le * 1000 };
}
