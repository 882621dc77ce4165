/**
 * A small client of Prometheus's HTTP API (/api/v1/query, /query_range, /alerts). Every
 * answer is decoded through a schema; an unreachable or failing Prometheus is a typed
 * PrometheusError, which the dashboard turns into its empty state.
 */
import { z } from 'zod';
import { answer as envelope, sample as sampleValue, vectorResult as vector } from '../../harness/observe/prometheus-api.ts';

export class PrometheusError extends Error {
  readonly code = 'ERR_PROMETHEUS_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const matrix = z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sampleValue) }));
const queryAnswer = envelope(z.object({ resultType: z.literal('vector'), result: vector }));
const rangeAnswer = envelope(z.object({ resultType: z.literal('matrix'), result: matrix }));
const alertsAnswer = envelope(
  z.object({
    alerts: z.array(
      z.object({
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).default({}),
        state: z.string(),
        activeAt: z.string().optional(),
      }),
    ),
  }),
);

export type Sample = { labels: Record<string, string>; value: number };
export type Series = { labels: Record<string, string>; points: [number, number | null][] };
export type FiringAlert = { labels: Record<string, string>; annotations: Record<string, string>; activeAt: string | null };

/** Prometheus writes NaN and ±Inf as strings; the page shows them as "no data". */
const num = (s: string): number | null => {
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

export class PrometheusClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 3000,
  ) {}

  /** An instant vector at `time` (unix seconds). */
  async query(expr: string, time: number): Promise<Sample[]> {
    const data = await this.get('/api/v1/query', { query: expr, time: String(time) }, queryAnswer);
    return data.result.flatMap((r) => {
      const v = num(r.value[1]);
      return v === null ? [] : [{ labels: r.metric, value: v }];
    });
  }

  /** A range query: one series per label set, NaN points as null. */
  async queryRange(expr: string, start: number, end: number, step: number): Promise<Series[]> {
    const data = await this.get('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) }, rangeAnswer);
    return data.result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]) => [t, num(v)] as [number, number | null]) }));
  }

  /** Alerts in state firing (pending ones are not yet news for a stakeholder). */
  async firingAlerts(): Promise<FiringAlert[]> {
    const data = await this.get('/api/v1/alerts', {}, alertsAnswer);
    return data.alerts.filter((a) => a.state === 'firing').map((a) => ({ labels: a.labels, annotations: a.annotations, activeAt: a.activeAt ?? null }));
  }

  private async get<T>(path: string, params: Record<string, string>, schema: z.ZodType<{ status: 'success'; data: T } | { status: 'error'; error: string }>): Promise<T> {
    const u = new URL(path, this.url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    let body: unknown;
    try {
      const res = await fetch(u, { signal: AbortSignal.timeout(this.timeoutMs) });
      body = await res.json();
    } catch (err) {
      throw new PrometheusError(`Prometheus at ${this.url} is not reachable (${(err as Error).message})`, { cause: err });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new PrometheusError(`Prometheus at ${this.url} answered ${path} with an unexpected shape: ${parsed.error.message}`);
    if (parsed.data.status === 'error') throw new PrometheusError(`Prometheus refused ${path}: ${parsed.data.error}`);
    return parsed.data.data;
  }
}
