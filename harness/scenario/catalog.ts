/**
 * Finds scenarios: one file each under scenarios/, whose default export is a Scenario.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../stack/process.ts';
import type { Scenario } from '../model/scenario.ts';

export const scenariosDir = join(repoRoot, 'scenarios');

export class UnknownScenarioError extends Error {
  readonly code = 'ERR_UNKNOWN_SCENARIO';
}

export function listScenarios(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export async function loadScenario(name: string): Promise<Scenario> {
  if (!listScenarios().includes(name)) throw new UnknownScenarioError(`no scenario '${name}'; known: ${listScenarios().join(', ')}`);
  return ((await import(join(scenariosDir, `${name}.ts`))) as { default: Scenario }).default;
}
