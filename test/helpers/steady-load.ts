/**
 * A small steady open-model load for fault tests: one real resize request every 1/rate s,
 * whatever the system does, each with its own timeout, so a hung request shows as such.
 * Bounded in time by `maxSeconds` even if nobody stops it.
 */
export interface LoadResult {
  sentAt: number;
  doneAt: number;
  status: number; // 0: no response (network error or our timeout)
  epoch?: number;
  error?: string;
}

export interface SteadyLoad {
  results: LoadResult[];
  stop(): Promise<LoadResult[]>;
}

export function steadyLoad(o: { url: string; key: string; body: Buffer; query: string; rate: number; timeoutMs: number; maxSeconds?: number }): SteadyLoad {
  const results: LoadResult[] = [];
  const inflight = new Set<Promise<void>>();
  let running = true;
  const started = Date.now();
  const one = async () => {
    const sentAt = Date.now();
    try {
      const r = await fetch(`${o.url}/v1/resize?${o.query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/octet-stream' },
        body: o.body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      await r.arrayBuffer();
      const epoch = r.headers.get('x-nines-epoch');
      results.push({ sentAt, doneAt: Date.now(), status: r.status, ...(epoch ? { epoch: Number(epoch) } : {}) });
    } catch (err) {
      results.push({ sentAt, doneAt: Date.now(), status: 0, error: (err as Error).name });
    }
  };
  const tick = setInterval(() => {
    if (!running || Date.now() - started > (o.maxSeconds ?? 120) * 1000) return;
    const p = one();
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }, 1000 / o.rate);
  return {
    results,
    async stop() {
      running = false;
      clearInterval(tick);
      await Promise.all(inflight);
      return results;
    },
  };
}
