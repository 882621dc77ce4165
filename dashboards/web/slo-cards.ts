/**
 * One card per SLO from the recording rules of the Prometheus contract: the SLI over the
 * 30-day window, the error budget left (ratio and minutes), the burn rate over 1 h and 6 h
 * (error ratio ÷ error budget: 1 spends the budget in exactly 30 days) and a state in words.
 */
import { SLO_NAMES, SLO_TITLES, WINDOW_MINUTES, type AlertLine, type SloCard, type SloName, type SloState } from './schema.ts';
import type { FiringAlert, PrometheusClient, Sample } from './prometheus.ts';
import { errorRatioRecord } from '../slos.ts';

/** The recording rules a card reads, by the field they fill. */
export const CARD_RULES = {
  ratio30d: errorRatioRecord('30d'),
  ratio1h: errorRatioRecord('1h'),
  ratio6h: errorRatioRecord('6h'),
  objective: 'slo:objective:ratio',
  budget: 'slo:error_budget:ratio',
  remaining: 'slo:error_budget_remaining:ratio',
} as const;

type Inputs = Record<keyof typeof CARD_RULES, number | null>;

/**
 * The state in words: breached once the budget is spent; at risk while a burn-rate alert
 * fires for it or the last 6 h burn faster than the budget allows (burn rate > 1); met otherwise.
 */
function sloStateOf(i: Inputs, firing: string[], burnRate6h: number | null): SloState {
  if (i.ratio30d === null || i.remaining === null) return 'no data';
  if (i.remaining <= 0) return 'breached';
  if (firing.length > 0 || (burnRate6h !== null && burnRate6h > 1)) return 'at risk';
  return 'met';
}

/** A card from the rule values at one instant (null where a rule has no sample yet). */
export function cardOf(slo: SloName, i: Inputs, firing: string[]): SloCard {
  const burn = (r: number | null) => (r === null || i.budget === null || i.budget <= 0 ? null : r / i.budget);
  const burnRate6h = burn(i.ratio6h);
  return {
    slo,
    title: SLO_TITLES[slo],
    objective: i.objective,
    sli: i.ratio30d === null ? null : 1 - i.ratio30d,
    budgetRemaining: i.remaining,
    budgetRemainingMinutes: i.remaining === null || i.budget === null ? null : i.remaining * i.budget * WINDOW_MINUTES,
    burnRate1h: burn(i.ratio1h),
    burnRate6h,
    state: sloStateOf(i, firing, burnRate6h),
    firing,
  };
}

const bySlo = (samples: Sample[], slo: string) => samples.find((s) => s.labels.slo === slo)?.value ?? null;

/** Every SLO's card and the firing burn-rate alerts, all read at `time` (unix seconds). */
export async function readSlos(prom: PrometheusClient, time: number): Promise<{ slos: SloCard[]; alerts: AlertLine[] }> {
  const keys = Object.keys(CARD_RULES) as (keyof typeof CARD_RULES)[];
  const [answers, firing] = await Promise.all([Promise.all(keys.map((k) => prom.query(CARD_RULES[k], time))), prom.firingAlerts()]);
  const alerts = firing.filter((a) => a.labels.alertname?.startsWith('SLOBurnRate')).map(alertLineOf);
  const slos = SLO_NAMES.map((slo) => {
    const inputs = Object.fromEntries(keys.map((k, n) => [k, bySlo(answers[n]!, slo)])) as Inputs;
    return cardOf(slo, inputs, alerts.filter((a) => a.slo === slo).map((a) => a.name));
  });
  return { slos, alerts };
}

function alertLineOf(a: FiringAlert): AlertLine {
  const slo = a.labels.slo ?? '';
  const severity = a.labels.severity ?? 'unknown';
  const name = a.labels.alertname ?? 'alert';
  const summary = a.annotations.summary ?? `${name}: the ${slo} SLO burns its error budget too fast`;
  return { name, slo, severity, since: a.activeAt, summary };
}
