/**
 * What `nines scenario` may change in a scenario from the command line. A scenario is data:
 * an override returns a new scenario and leaves the file's export as written.
 */
import type { Scenario } from '../model/scenario.ts';

export class ScenarioOverrideError extends Error {
  readonly code = 'ERR_SCENARIO_OVERRIDE';
}

/** The scenario run on `shards` queue shards (`--shards N`); only the 'ha' topology has shards. */
export function withShards(sc: Scenario, shards: number): Scenario {
  if (!Number.isInteger(shards) || shards < 1) throw new ScenarioOverrideError(`--shards takes a whole number of at least 1, not ${shards}`);
  if (sc.topology.kind !== 'ha') {
    throw new ScenarioOverrideError(`scenario ${sc.name} runs the '${sc.topology.kind}' topology (one broker, no queue shards); --shards needs an 'ha' scenario`);
  }
  return { ...sc, topology: { ...sc.topology, shards } };
}

/** The scenario with every request carrying `fixture` (`--image`), e.g. a capacity run per image of a mix for `nines plan --image-mix`. */
export function withImage(sc: Scenario, fixture: string): Scenario {
  if (!fixture || fixture.includes('/')) throw new ScenarioOverrideError(`--image takes a file name in the fixtures folder, not '${fixture}'`);
  return { ...sc, load: { ...sc.load, images: [{ fixture }] } };
}
