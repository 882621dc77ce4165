/**
 * The rules a running Prometheus has loaded, as its HTTP API lists them (/api/v1/rules),
 * decoded through a schema: what the query test sends back to Prometheus one by one.
 */
import { z } from 'zod';
import { answer, get } from './prometheus-api.ts';

const rulesAnswer = answer(
  z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        rules: z.array(z.object({ type: z.enum(['recording', 'alerting']), name: z.string(), query: z.string(), health: z.string(), lastError: z.string().optional() })),
      }),
    ),
  }),
);

export interface LoadedRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  health: string;
  lastError?: string;
}

/** Every rule of every group Prometheus loaded. */
export async function loadedRules(baseUrl: string): Promise<LoadedRule[]> {
  const a = await get(`${baseUrl}/api/v1/rules`, rulesAnswer);
  if (a.status === 'error') throw new Error(`Prometheus /api/v1/rules: ${a.errorType}: ${a.error}`);
  return a.data.groups.flatMap((g) => g.rules);
}
