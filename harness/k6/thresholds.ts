/**
 * A scenario's SLAs as k6 thresholds, where k6 can express them with the same meaning;
 * everything else is listed as "checked by nines only" rather than approximated, because
 * a k6 threshold that passes on a different definition would be a false promise.
 *
 *   latency {sizeClass, threshold}  → http_req_duration[{size_class:<class>}]: [threshold]
 *   errors rate                     → http_req_failed: ['rate<…']  (both count timeouts and
 *                                     resets as failed and leave dropped requests out)
 *   errors count                    → failed_requests: ['count<…'] (a Counter the script adds
 *                                     to: http_req_failed is a Rate and has no count)
 *   dropped count                   → dropped_iterations: ['count<…']
 *   dropped rate                    → nines only: k6's counter rate is per second, nines'
 *                                     is a share of scheduled requests
 *   availability, recovery, errorBudget, measurement → nines only
 */
import { fmt, pct } from '../sla/format.ts';
import { parseSlas, type Sla } from '../sla/spec.ts';

/** Size classes the exported script tags requests with. */
export const SIZE_CLASSES = ['lt1mb', 'gte1mb'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

/** The custom Counter the script adds failed requests to, for `errors` count SLAs. */
export const FAILED_COUNTER = 'failed_requests';

export interface ThresholdPlan {
  /** `options.thresholds`, keys in first-seen order. */
  thresholds: Record<string, string[]>;
  /** SLAs k6 cannot express, described for the config's `about.checkedByNinesOnly`. */
  ninesOnly: string[];
  /** True when a threshold uses FAILED_COUNTER, so the script must declare it. */
  usesFailedCounter: boolean;
}

const labelled = (s: Sla, text: string): string => (s.label ? `${s.label}: ${text}` : text);

function describeNinesOnly(s: Sla): string {
  switch (s.metric) {
    case 'availability':
      return labelled(s, `availability ≥ ${pct(s.min)} in every ${s.window} s window (dropped requests count as unavailable)`);
    case 'recovery': {
      const lat = s.latency ? `, latency ${s.latency.sizeClass} ${s.latency.threshold.source}` : '';
      const which = s.faults ? ` (${s.faults.join(', ')})` : '';
      return labelled(s, `recovery within ${fmt(s.maxSeconds)} s after each fault${which}: ${s.stableSeconds} s stable at ≥ ${pct(s.minAvailability)}${lat}`);
    }
    case 'errorBudget':
      return labelled(s, `error budget: at SLO ${pct(s.slo)} the run may spend at most ${pct(s.maxShare)} of a month's budget`);
    case 'measurement':
      return labelled(s, `measurement ${s.name} ${s.threshold.source} (a nines probe)`);
    case 'dropped':
      return labelled(s, `dropped ${s.threshold.source} as a share of scheduled requests (k6's dropped_iterations rate is per second)`);
    case 'latency':
      return labelled(s, `latency ${s.sizeClass} ${s.threshold.source} (the exporter tags only ${SIZE_CLASSES.join(' and ')})`);
    default:
      return labelled(s, `${s.metric} ${'threshold' in s ? s.threshold.source : ''}`.trim());
  }
}

/**
 * Maps SLA specs (harness/sla syntax) to k6 thresholds. Throws SlaSpecError (ERR_SLA_SPEC)
 * on a bad spec: an exported script must not silently drop a misspelt SLA.
 */
export function thresholdsFor(slas: unknown[]): ThresholdPlan {
  const plan: ThresholdPlan = { thresholds: {}, ninesOnly: [], usesFailedCounter: false };
  const add = (key: string, expr: string): void => {
    const list = (plan.thresholds[key] ??= []);
    if (!list.includes(expr)) list.push(expr);
  };
  for (const s of parseSlas(slas)) {
    if (s.metric === 'latency' && (s.sizeClass === 'all' || (SIZE_CLASSES as readonly string[]).includes(s.sizeClass))) {
      add(s.sizeClass === 'all' ? 'http_req_duration' : `http_req_duration{size_class:${s.sizeClass}}`, s.threshold.source);
    } else if (s.metric === 'errors') {
      if (s.threshold.aggregation === 'rate') add('http_req_failed', s.threshold.source);
      else {
        add(FAILED_COUNTER, s.threshold.source);
        plan.usesFailedCounter = true;
      }
    } else if (s.metric === 'dropped' && s.threshold.aggregation === 'count') {
      add('dropped_iterations', s.threshold.source);
    } else {
      plan.ninesOnly.push(describeNinesOnly(s));
    }
  }
  return plan;
}

/** Size class of a fixture: the same 1 MiB boundary the SLAs' `lt1mb` class names. */
export function sizeClassOf(bytes: number): SizeClass {
  return bytes < 1024 * 1024 ? 'lt1mb' : 'gte1mb';
}
