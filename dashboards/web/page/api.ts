/** The page's reads of the dashboard API, each answer decoded through the shared schema. */
import type { z } from 'zod';
import { burndown, latency, overview, runsList, type RangeName } from '../schema.ts';

export class ApiError extends Error {}

async function get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new ApiError(`${path} answered ${res.status}`);
  const r = schema.safeParse(await res.json());
  if (!r.success) throw new ApiError(`${path} answered an unexpected shape: ${r.error.message}`);
  return r.data;
}

export const fetchOverview = () => get('api/overview', overview);
export const fetchRuns = () => get('api/runs', runsList);
export const fetchBurndown = (range: RangeName) => get(`api/burndown?range=${range}`, burndown);
export const fetchLatency = (range: RangeName) => get(`api/latency?range=${range}`, latency);
