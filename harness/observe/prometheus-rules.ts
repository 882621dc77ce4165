/**
 * The rules a running Prometheus has loaded, as its HTTP API lists them (/api/v1/rules),
 * decoded through a schema: what the query test sends back to Prometheus one by one.
 */
import { z } from 'zod';

const rulesAnswer = z.object({
  status: z.literal('success'),
  data: z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        rules: z.array(z.object({ type: z.enum(['recording', 'alerting']), name: z.string(), query: z.string(), health: z.string(), lastError: z.string().optional() })),
      }),
    ),
  }),
});

export interface LoadedRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  health: string;
  lastError?: string;
}

/** Every rule of every group Prometheus loaded. */
export async function loadedRules(baseUrl: string): Promise<LoadedRule[]> {
  const r = await fetch(`${baseUrl}/api/v1/rules`, { signal: AbortSignal.timeout(10_000) });
  return rulesAnswer.parse(await r.json()).data.groups.flatMap((g) => g.rules);
}
