/**
 * A small client of Prometheus's HTTP API (/api/v1/query, /api/v1/targets): every answer
 * is decoded through a schema, and an error answer (a query that does not parse, say)
 * becomes a PrometheusQueryError carrying Prometheus's own errorType and message.
 */
import { z } from 'zod';
import { pollUntil } from '../stack/poll.ts';

/** One sample as the API writes it: [unix seconds, value as text]. */
export const sample = z.tuple([z.number(), z.string()]);
export const vectorResult = z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample }));
/** Every API answer: `data` on success, Prometheus's errorType and message otherwise. */
export const answer = <T extends z.ZodType>(data: T) =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('success'), data }),
    z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
  ]);
const queryAnswer = answer(
  z.discriminatedUnion('resultType', [
    z.object({ resultType: z.literal('vector'), result: vectorResult }),
    z.object({ resultType: z.literal('scalar'), result: sample }),
    z.object({ resultType: z.enum(['matrix', 'string']), result: z.unknown() }),
  ]),
);
const targetsAnswer = answer(
  z.object({ activeTargets: z.array(z.object({ labels: z.record(z.string(), z.string()), health: z.enum(['up', 'down', 'unknown']), lastError: z.string() })) }),
);

export class PrometheusQueryError extends Error {
  readonly code = 'ERR_PROMETHEUS_QUERY';
  constructor(
    readonly expr: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`Prometheus refused ${JSON.stringify(expr)}: ${errorType}: ${message}`);
  }
}

export interface Series {
  labels: Record<string, string>;
  value: number;
}

export interface Target {
  job: string;
  instance: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/** GETs `url` (10 s at most) and decodes the answer through `schema`. */
export async function get<T extends z.ZodType>(url: string, schema: T): Promise<z.infer<T>> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return schema.parse(await r.json());
}

/** Evaluates `expr` at `time` (epoch ms; default now); an instant vector or scalar as series. */
export async function instantQuery(baseUrl: string, expr: string, time?: number): Promise<Series[]> {
  const params = new URLSearchParams({ query: expr, ...(time === undefined ? {} : { time: String(time / 1000) }) });
  const a = await get(`${baseUrl}/api/v1/query?${params}`, queryAnswer);
  if (a.status === 'error') throw new PrometheusQueryError(expr, a.errorType, a.error);
  const d = a.data;
  if (d.resultType === 'vector') return d.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  if (d.resultType === 'scalar') return [{ labels: {}, value: Number(d.result[1]) }];
  throw new PrometheusQueryError(expr, 'unexpected', `a ${d.resultType} result, not an instant vector`);
}

/** Every active scrape target with its health. */
export async function scrapeTargets(baseUrl: string): Promise<Target[]> {
  const a = await get(`${baseUrl}/api/v1/targets?state=active`, targetsAnswer);
  if (a.status === 'error') throw new Error(`Prometheus /api/v1/targets: ${a.errorType}: ${a.error}`);
  return a.data.activeTargets.map((t) => ({ job: t.labels.job ?? '', instance: t.labels.instance ?? '', health: t.health, lastError: t.lastError }));
}

/** Waits until every active target has been scraped successfully; returns them. */
export async function waitForTargetsUp(baseUrl: string, timeoutMs: number): Promise<Target[]> {
  let last: Target[] = [];
  return pollUntil(
    async () => {
      last = await scrapeTargets(baseUrl).catch(() => []);
      return last.length > 0 && last.every((t) => t.health === 'up') ? last : undefined;
    },
    { timeoutMs, everyMs: 250, what: 'every Prometheus target up', last: () => last.filter((t) => t.health !== 'up').map((t) => `${t.job}/${t.instance}: ${t.health} ${t.lastError}`).join('; ') },
  );
}
