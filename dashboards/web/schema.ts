/**
 * The dashboard's JSON API as zod schemas: the server encodes through them and the page
 * (bundled with this file, dashboards/web/bundle.ts) and the tests decode through them,
 * so a field renamed on one side fails loudly instead of drawing an empty card.
 */
import { z } from 'zod';
import type { SloName as DefinedSlo } from '../slos.ts';

/** The SLOs defined in dashboards/slos.ts, whose rules label every series `slo="<name>"`. */
export const SLO_NAMES = ['availability', 'latency', 'api-availability'] as const satisfies readonly DefinedSlo[];
export const sloName = z.enum(SLO_NAMES);
export type SloName = z.infer<typeof sloName>;

/** What each SLO promises, in the words a product owner reads. */
export const SLO_TITLES: Record<SloName, string> = {
  availability: 'Resizes succeed (99.9 %)',
  latency: 'Images under 1 MB answered within 500 ms (99 %)',
  'api-availability': 'API tier answers (99.99 %)',
};

/** The SLO window of every objective: 30 days. */
export const WINDOW_MINUTES = 30 * 24 * 60;

export const sloState = z.enum(['met', 'at risk', 'breached', 'no data']);
export type SloState = z.infer<typeof sloState>;

const ratio = z.number().nullable();

export const sloCard = z.object({
  slo: sloName,
  title: z.string(),
  objective: ratio,
  /** 1 − the 30-day error ratio. */
  sli: ratio,
  budgetRemaining: ratio,
  budgetRemainingMinutes: ratio,
  burnRate1h: ratio,
  burnRate6h: ratio,
  state: sloState,
  firing: z.array(z.string()),
});
export type SloCard = z.infer<typeof sloCard>;

export const alertLine = z.object({
  name: z.string(),
  slo: z.string(),
  severity: z.string(),
  since: z.string().nullable(),
  summary: z.string(),
});
export type AlertLine = z.infer<typeof alertLine>;

export const promStatus = z.object({ url: z.string(), up: z.boolean(), error: z.string().optional() });

export const overview = z.object({
  /** The evaluation time every figure was read at (ISO 8601), so a reader can repeat the queries. */
  at: z.string(),
  prometheus: promStatus,
  slos: z.array(sloCard),
  alerts: z.array(alertLine),
});
export type Overview = z.infer<typeof overview>;

/** [unix seconds, value or null] */
const point = z.tuple([z.number(), z.number().nullable()]);

export const RANGES = { '15m': 900, '1h': 3600, '6h': 21_600, '1d': 86_400, '7d': 604_800, '30d': 2_592_000 } as const;
export const rangeName = z.enum(Object.keys(RANGES) as [keyof typeof RANGES, ...(keyof typeof RANGES)[]]);
export type RangeName = z.infer<typeof rangeName>;

/** Query parameters of the chart endpoints; anything else is a 400. */
export const chartQuery = z.strictObject({ range: rangeName.default('1h') });

const seriesFrame = {
  prometheus: promStatus,
  range: rangeName,
  start: z.number(),
  end: z.number(),
  step: z.number(),
};

export const burndown = z.object({
  ...seriesFrame,
  series: z.array(z.object({ slo: z.string(), points: z.array(point) })),
});
export type Burndown = z.infer<typeof burndown>;

export const faultWindow = z.object({ scenario: z.string(), fault: z.string(), from: z.number(), to: z.number() });
export type FaultWindow = z.infer<typeof faultWindow>;

export const latency = z.object({
  ...seriesFrame,
  series: z.array(z.object({ sizeClass: z.string(), quantile: z.number(), points: z.array(point) })),
  faults: z.array(faultWindow),
});
export type Latency = z.infer<typeof latency>;

export const runSummary = z.object({
  scenario: z.string(),
  /** The run folder's stamp (runs/<scenario>/<stamp>). */
  stamp: z.string(),
  kind: z.string().nullable(),
  startedAt: z.string(),
  verdict: z.enum(['PASS', 'FAIL', 'UNKNOWN']),
  failoverSeconds: z.number().nullable(),
  requestsLost: z.number().nullable(),
  faults: z.array(z.object({ name: z.string(), from: z.number(), to: z.number() })),
  /** Site-relative link to the run's report.html, served by the dashboard. */
  reportUrl: z.string(),
});
export type RunSummary = z.infer<typeof runSummary>;

export const runsList = z.object({ runs: z.array(runSummary), unreadable: z.number() });
export type RunsList = z.infer<typeof runsList>;

/** RFC 9457 problem details, as every 4xx/5xx of the dashboard answers. */
export const problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional(), code: z.string().optional() });
