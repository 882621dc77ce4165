/**
 * Arrival-rate profiles and the schedule they imply: the intended send time of the k-th
 * request. The schedule is a pure function of the profile, so N threads can each take
 * every N-th arrival (k ≡ i mod N) and together send exactly the single-thread schedule.
 */

/** A fixed arrival rate (requests/s) for `durationS` seconds. */
export interface ConstantProfile {
  kind: 'constant';
  rate: number;
  durationS: number;
}

/** One stage of a ramping profile: the rate moves linearly to `rate` over `durationS`. */
export interface RampStage {
  rate: number;
  durationS: number;
}

/**
 * k6's ramping-arrival-rate: the rate starts at `startRate` (default 0) and each stage
 * moves it linearly to the stage's `rate` over the stage's duration; a stage whose rate
 * equals the previous one holds it constant.
 */
export interface RampingProfile {
  kind: 'ramping';
  startRate?: number;
  stages: RampStage[];
}

export type ArrivalProfile = ConstantProfile | RampingProfile;

interface Segment {
  /** Segment start, ms from run start. */
  startMs: number;
  durationMs: number;
  /** Rates at the segment's start and end, requests per ms. */
  a: number;
  b: number;
  /** Arrivals before this segment (real-valued integral of the rate). */
  before: number;
}

// Float integrals such as 0.1 * 30 land a hair above an integer; without this tolerance a
// 3,000-request profile would schedule a 3,001st request at the very end.
const EPS = 1e-9;

/** Throws a RangeError naming every problem when the profile is unusable. */
export function validateProfile(p: ArrivalProfile): void {
  const problems: string[] = [];
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (p.kind === 'constant') {
    if (!finite(p.rate) || p.rate <= 0) problems.push(`rate must be a positive number, got ${p.rate}`);
    if (!finite(p.durationS) || p.durationS <= 0) problems.push(`durationS must be positive, got ${p.durationS}`);
  } else if (p.kind === 'ramping') {
    if (p.startRate !== undefined && (!finite(p.startRate) || p.startRate < 0)) problems.push(`startRate must be >= 0, got ${p.startRate}`);
    if (!Array.isArray(p.stages) || p.stages.length === 0) problems.push('stages must be a non-empty array');
    else
      p.stages.forEach((s, i) => {
        if (!finite(s.rate) || s.rate < 0) problems.push(`stages[${i}].rate must be >= 0, got ${s.rate}`);
        if (!finite(s.durationS) || s.durationS <= 0) problems.push(`stages[${i}].durationS must be positive, got ${s.durationS}`);
      });
  } else problems.push(`unknown profile kind ${(p as { kind: unknown }).kind}; expected constant or ramping`);
  if (problems.length) throw new RangeError(`invalid arrival profile: ${problems.join('; ')}`);
}

/** The profile's length in seconds. */
export function profileDurationS(p: ArrivalProfile): number {
  return p.kind === 'constant' ? p.durationS : p.stages.reduce((s, x) => s + x.durationS, 0);
}

/** The highest rate the profile reaches, requests/s (sizes threads and connections). */
export function peakRate(p: ArrivalProfile): number {
  return p.kind === 'constant' ? p.rate : Math.max(p.startRate ?? 0, ...p.stages.map((s) => s.rate));
}

/** The intended send times of a profile's requests: `at(k)` in ms from the run's start. */
export class Schedule {
  /** Number of requests the profile schedules (the integral of its rate, rounded up). */
  readonly total: number;
  readonly durationMs: number;
  readonly #segments: Segment[];
  #cursor = 0;

  constructor(profile: ArrivalProfile) {
    validateProfile(profile);
    const segs: Segment[] = [];
    let startMs = 0;
    let before = 0;
    let prev = profile.kind === 'constant' ? profile.rate : (profile.startRate ?? 0);
    const stages = profile.kind === 'constant' ? [{ rate: profile.rate, durationS: profile.durationS }] : profile.stages;
    for (const s of stages) {
      const durationMs = s.durationS * 1000;
      const a = prev / 1000;
      const b = s.rate / 1000;
      segs.push({ startMs, durationMs, a, b, before });
      before += ((a + b) / 2) * durationMs;
      startMs += durationMs;
      prev = s.rate;
    }
    this.#segments = segs;
    this.durationMs = startMs;
    this.total = Math.max(0, Math.ceil(before - EPS));
  }

  /**
   * Intended send time of arrival k (0-based), ms from the run's start; Infinity when
   * k >= total. Arrival k is the instant the integral of the rate reaches k. Fastest when
   * k grows monotonically (a cursor remembers the segment), correct for any k.
   */
  at(k: number): number {
    if (k >= this.total || k < 0) return Infinity;
    const segs = this.#segments;
    let i = this.#cursor;
    if (segs[i]!.before > k) i = 0;
    while (i + 1 < segs.length && segs[i + 1]!.before <= k) i++;
    this.#cursor = i;
    const s = segs[i]!;
    const n = k - s.before;
    if (n <= 0) return s.startMs;
    // Solve a·τ + (b−a)·τ²/(2d) = n for τ in the stable form 2n / (a + √(a² + 2(b−a)n/d)),
    // which also covers a constant rate (b = a) and a ramp from zero (a = 0).
    const disc = s.a * s.a + (2 * (s.b - s.a) * n) / s.durationMs;
    const tau = (2 * n) / (s.a + Math.sqrt(Math.max(0, disc)));
    return s.startMs + Math.min(tau, s.durationMs);
  }
}
