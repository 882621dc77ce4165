/**
 * A scenario's arrival profile as a k6 arrival-rate executor. Both engines are open
 * models with the same ramp semantics (harness/load/profile.ts follows k6's
 * ramping-arrival-rate: each stage moves the rate linearly to its target), so the mapping
 * is one to one; only k6's integer `rate` and its VU pool need translating.
 */
import { peakRate, validateProfile } from '../load/profile.ts';
import type { LoadSpec, Profile } from '../model/scenario.ts';

/** The nines engine's default in-flight bound (LoadOptions.maxInFlight); a derived maxVUs never exceeds it. */
export const DEFAULT_MAX_IN_FLIGHT = 10_000;

export interface K6Stage {
  target: number;
  duration: string;
}

/** The object placed under `options.scenarios[<name>]` (keys in the order k6's docs list them). */
export type K6ArrivalScenario =
  | { executor: 'constant-arrival-rate'; rate: number; timeUnit: string; duration: string; preAllocatedVUs: number; maxVUs: number; gracefulStop: string }
  | { executor: 'ramping-arrival-rate'; startRate: number; timeUnit: string; stages: K6Stage[]; preAllocatedVUs: number; maxVUs: number; gracefulStop: string };

export interface ExecutorPlan {
  scenario: K6ArrivalScenario;
  /** How maxVUs was chosen, for the config's `about`. */
  vusReason: string;
  /** Set when a rate had to be rounded to fit k6's integer `rate`. */
  roundingNote?: string;
}

/** A k6 duration string for seconds: `30s`, or `1500ms` for fractions. */
export function k6Duration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

// k6's `rate`, `startRate` and `target` are integers per `timeUnit`; a fractional rate
// (0.5/s) is written as an integer per a longer unit (5 per 10s), which k6 spreads evenly.
const UNITS = [1, 10, 100, 1000];
const isInt = (x: number): boolean => Math.abs(x - Math.round(x)) < 1e-9;

function timeUnitFor(rates: number[]): { unitS: number; rounded: boolean } {
  for (const unitS of UNITS) if (rates.every((r) => isInt(r * unitS))) return { unitS, rounded: false };
  return { unitS: UNITS[UNITS.length - 1]!, rounded: true };
}

/**
 * The k6 scenario for `profile` (the scenario's full profile or its quick one) and the
 * load's in-flight bound. Throws RangeError on an invalid profile, like the nines engine.
 */
export function executorFor(profile: Profile, load: LoadSpec): ExecutorPlan {
  validateProfile(profile);
  const rates = profile.kind === 'constant' ? [profile.rate] : [profile.startRate, ...profile.stages.map((s) => s.rate)];
  const { unitS, rounded } = timeUnitFor(rates);
  const perUnit = (r: number): number => Math.round(r * unitS);
  const timeUnit = `${unitS}s`;

  const timeoutS = load.timeoutMs / 1000;
  let maxVUs: number;
  let vusReason: string;
  if (load.maxInFlight !== undefined) {
    maxVUs = load.maxInFlight;
    vusReason = `load.maxInFlight = ${maxVUs}`;
  } else {
    // Little's law at the worst the run allows: every request in flight for the whole
    // timeout at the peak rate. Capped at the nines engine's default bound.
    const worst = Math.max(1, Math.ceil(peakRate(profile) * timeoutS));
    maxVUs = Math.min(DEFAULT_MAX_IN_FLIGHT, worst);
    vusReason = `peak rate ${peakRate(profile)}/s × timeout ${timeoutS} s${worst > maxVUs ? `, capped at ${DEFAULT_MAX_IN_FLIGHT}` : ''} (no load.maxInFlight)`;
  }
  // All VUs are pre-allocated: k6 drops iterations while it initialises VUs mid-test, and
  // nines drops only when maxInFlight requests are in flight. With the whole pool ready,
  // dropped_iterations means what nines means by dropped.
  const preAllocatedVUs = maxVUs;
  // In-flight iterations at the end get their request timeout to finish, plus a second.
  const gracefulStop = `${Math.ceil(timeoutS) + 1}s`;

  const scenario: K6ArrivalScenario =
    profile.kind === 'constant'
      ? { executor: 'constant-arrival-rate', rate: perUnit(profile.rate), timeUnit, duration: k6Duration(profile.durationS), preAllocatedVUs, maxVUs, gracefulStop }
      : {
          executor: 'ramping-arrival-rate',
          startRate: perUnit(profile.startRate),
          timeUnit,
          stages: profile.stages.map((s) => ({ target: perUnit(s.rate), duration: k6Duration(s.durationS) })),
          preAllocatedVUs,
          maxVUs,
          gracefulStop,
        };
  const plan: ExecutorPlan = { scenario, vusReason };
  if (rounded) plan.roundingNote = `rates ${rates.join(', ')}/s rounded to whole requests per ${timeUnit}`;
  return plan;
}

/** One line describing the profile in nines' terms, for the config's `about`. */
export function describeProfile(profile: Profile): string {
  if (profile.kind === 'constant') return `constant ${profile.rate} req/s for ${profile.durationS} s`;
  const stages = profile.stages.map((s) => `${s.rate}/s over ${s.durationS} s`).join(', then ');
  return `ramping from ${profile.startRate}/s: ${stages}`;
}
