/**
 * Goodput under overload: resizes completed per second while a flood is offered, against
 * the capacity the same run measured just before it (the `capacity` phase: offered a little
 * over what the stack can do, so it completes what it can). A stack that sheds well keeps
 * the flood's goodput near that capacity; one that collapses (every request half-served,
 * the workers resizing images nobody waits for any more) does not.
 *
 * Whole seconds only: a phase's first two seconds are skipped (the ramp into it and the
 * queue filling), and so is its last.
 */
import type { History } from '../load/history.ts';
import { phaseWindows } from './phases.ts';
import type { Profile } from '../model/scenario.ts';

export interface GoodputFigures {
  /** Mean completed requests/s in the capacity phase. */
  capacity: number;
  /** Mean completed requests/s in the flood phase. */
  goodput: number;
  /** goodput / capacity. */
  ratio: number;
}

/** Goodput against capacity; undefined when the profile has no `capacity` and `flood` phases. */
export function goodput(history: History, profile: Profile): GoodputFigures | undefined {
  const windows = phaseWindows(profile);
  const rate = (name: string) => {
    const w = windows.find((x) => x.name === name);
    if (!w) return undefined;
    const from = Math.floor(w.startMs / 1000) + 2;
    const to = Math.floor(w.endMs! / 1000) - 1;
    const secs = history.seconds.filter((s) => s.t >= from && s.t < to);
    return secs.length ? secs.reduce((a, s) => a + s.ok, 0) / secs.length : undefined;
  };
  const capacity = rate('capacity');
  const flood = rate('flood');
  if (capacity === undefined || flood === undefined) return undefined;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { capacity: round(capacity), goodput: round(flood), ratio: capacity > 0 ? round(flood / capacity) : 0 };
}
