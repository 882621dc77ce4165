/**
 * What the runner adds to a run for the graceful-degradation scenarios, kept out of run.ts
 * (a few hook lines there): named stages as windows (so `recovery` judges the seconds after
 * a flood), processes that went down, the api's peak RSS, where the stack and the engine
 * were pinned, and the goodput probe.
 */
import type { History } from '../load/history.ts';
import type { Profile, Scenario } from '../model/scenario.ts';
import type { SystemUnderTest } from '../model/system-under-test.ts';
import { goodput } from './goodput.ts';
import { phaseWindows } from './phases.ts';

/** Adds the phase windows to `h.faults`, and the figures above to its measurements and `extra`. */
export function recordDegradation(h: History, x: { sc: Scenario; sut: SystemUnderTest; profile: Profile; extra: Record<string, unknown>; say: (line: string) => void }): void {
  h.faults = [...phaseWindows(x.profile), ...h.faults];
  h.measurements = { ...h.measurements, processesDown: x.sut.down?.().length ?? 0 };
  if (x.sut.apiRssPeakMb) h.measurements.apiRssPeakMb = x.sut.apiRssPeakMb();
  if (x.sut.pinned) h.settings = { ...h.settings, pinned: x.sut.pinned };
  const gp = x.sc.probes?.includes('goodput') ? goodput(h, x.profile) : undefined;
  if (!gp) return;
  x.extra.goodput = gp;
  h.measurements.goodputRatio = gp.ratio;
  x.say(`goodput: ${gp.goodput} resizes/s during the flood, ${gp.ratio} x the ${gp.capacity}/s capacity measured before it`);
}
