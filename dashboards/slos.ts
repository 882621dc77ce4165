/**
 * The product's service level objectives, defined once: the Prometheus rules
 * (dashboards/prometheus/rules/slo.yml), the Grafana SLO dashboard and the harness's
 * server-side SLIs (harness/observe/slis.ts) are all generated from or computed with
 * these expressions, so the three cannot drift apart. The names are a contract (the SLA
 * page reads them): see dashboards/prometheus/README.md.
 *
 * Each SLI is an error ratio: bad events over all events in a window, from the api's own
 * counters (system/api/metrics.ts). 4xx are the client's and never count as bad.
 */

export type SloName = 'availability' | 'latency' | 'api-availability';

export interface Slo {
  name: SloName;
  /** The share of events that must be good over 30 days, e.g. 0.999. */
  objective: number;
  /** One line, for the dashboard and the alerts' summaries. */
  description: string;
  /** Counter selectors: bad events are sum(`bad`) − sum(`badMinus`, when set); all events sum(`all`). */
  bad: string;
  badMinus?: string;
  all: string;
  /** PromQL: bad events per second over `window` (e.g. '5m'), summed to one series. */
  errors(window: string): string;
  /** PromQL: all events per second over `window`, summed to one series. */
  total(window: string): string;
}

const RESIZE = 'route="/v1/resize"';
// Errors the api tier makes itself: a bug (500 ERR_INTERNAL) or an api server at its
// in-flight limit (503 ERR_OVERLOADED). A 503/504 naming the queue, the workers, the usage
// service or the deadline is a dependency's, and counts against `availability` instead.
const API_OWN_ERRORS = 'code=~"ERR_INTERNAL|ERR_OVERLOADED"';
const API_ROUTES = 'route=~"/v1/resize|/v1/usage"';

const rate = (selector: string, window: string) => `sum(rate(${selector}[${window}]))`;

// The rates every rule and panel uses, from the selectors.
const slo = (s: Omit<Slo, 'errors' | 'total'>): Slo => ({
  ...s,
  errors: (w) => (s.badMinus ? `(${rate(s.bad, w)} - ${rate(s.badMinus, w)})` : rate(s.bad, w)),
  total: (w) => rate(s.all, w),
});

const SMALL = `nines_api_request_duration_seconds_count{${RESIZE},size_class="lt1mb",status_class!="4xx"}`;

export const slos: readonly Slo[] = [
  slo({
    name: 'availability',
    objective: 0.999,
    description: 'resize requests answered without a 5xx (a missed deadline is a 504); 4xx are the client’s',
    bad: `nines_api_requests_total{${RESIZE},status=~"5.."}`,
    all: `nines_api_requests_total{${RESIZE}}`,
  }),
  slo({
    name: 'latency',
    objective: 0.99,
    description: 'resize requests for images under 1 MB answered within 500 ms (4xx left out)',
    // Slow = all − those within the 0.5 bucket bound, which is exact (system/api/metrics.ts).
    bad: SMALL,
    badMinus: `nines_api_request_duration_seconds_bucket{${RESIZE},size_class="lt1mb",status_class!="4xx",le="0.5"}`,
    all: SMALL,
  }),
  slo({
    name: 'api-availability',
    objective: 0.9999,
    description: 'requests to the api tier (resize, usage) not failed by the api tier itself (500, or 503 at its in-flight limit)',
    bad: `nines_api_requests_total{${API_ROUTES},status=~"5..",${API_OWN_ERRORS}}`,
    all: `nines_api_requests_total{${API_ROUTES}}`,
  }),
];

/** The SLI windows recorded, shortest first (Sloth's set: every window an alert below uses, and the SLO period). */
export const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'] as const;

/**
 * Multi-window, multi-burn-rate alerts, with Sloth's factors (after the Google SRE workbook,
 * "Alerting on SLOs", table 5-8): a page when 2 % of a 30-day budget burns in an hour or 5 %
 * in six; a ticket when 10 % burns in three days or the whole budget is on course to go.
 * Each condition needs a long window (significance) and a short one (it is still happening).
 */
export const burnAlerts = [
  { alert: 'SLOBurnRatePage', severity: 'page', conditions: [{ factor: 14.4, long: '1h', short: '5m' }, { factor: 6, long: '6h', short: '30m' }] },
  { alert: 'SLOBurnRateTicket', severity: 'ticket', conditions: [{ factor: 3, long: '1d', short: '2h' }, { factor: 1, long: '3d', short: '6h' }] },
] as const;

/** The recorded error-ratio series of `window`, e.g. `slo:sli_error:ratio_rate5m`. */
export const errorRatioRecord = (window: string) => `slo:sli_error:ratio_rate${window}`;
