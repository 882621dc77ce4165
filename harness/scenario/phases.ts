/**
 * Named stages of a ramping profile (`phase`) as windows of the history, so the checkers
 * that judge fault windows (recovery) can judge a flood the same way: "normal service
 * within 2 s after the flood" is recovery from the window named `flood`. Consecutive stages
 * of one name are one window.
 */
import type { FaultWindow } from '../load/history.ts';
import type { Profile } from '../model/scenario.ts';

export function phaseWindows(p: Profile): FaultWindow[] {
  if (p.kind !== 'ramping') return [];
  const out: FaultWindow[] = [];
  let at = 0;
  for (const s of p.stages) {
    const end = at + s.durationS * 1000;
    const last = out[out.length - 1];
    if (s.phase && last?.name === s.phase && last.endMs === at) last.endMs = end;
    else if (s.phase) out.push({ name: s.phase, startMs: at, endMs: end });
    at = end;
  }
  return out;
}
