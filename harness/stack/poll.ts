/**
 * Waiting for a distributed system to reach a state: poll `check` until it yields a value,
 * bounded in time, with the last thing seen in the error. Every wait in the harness and the
 * tests goes through here, so none can spin forever.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, o: { timeoutMs: number; everyMs?: number; what: string; last?: () => string }): Promise<T> {
  const until = Date.now() + o.timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`${o.what} not reached within ${o.timeoutMs} ms${o.last ? `: ${o.last()}` : ''}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 50));
  }
}
