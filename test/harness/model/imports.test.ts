// harness/faults/ and harness/k6/ are driven by the scenario runner (harness/scenario/);
// if they imported it back the folders would loop again. The shared types live in
// harness/model/ instead; this test keeps it that way by reading every import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const scenarioDir = join(repoRoot, 'harness', 'scenario');

/** Every source file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

// `import … from '…'`, `export … from '…'` and `import('…')`, across line breaks.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

/** The relative imports in `text` (the source of `file`) that resolve into harness/scenario/. */
function scenarioImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  return [...text.matchAll(SPECIFIER)]
    .map((m) => m[1]!)
    .filter((spec) => spec.startsWith('.') && !relative(scenarioDir, resolve(dirname(file), spec)).startsWith('..'));
}

test('nothing under harness/faults or harness/k6 imports harness/scenario', () => {
  const files = ['faults', 'k6'].flatMap((d) => sources(join(repoRoot, 'harness', d)));
  assert.ok(files.length > 5, `expected the faults and k6 sources, found ${files.length}`);
  const offenders = files.flatMap((f) => scenarioImports(f).map((spec) => `${relative(repoRoot, f)} imports ${spec}`));
  assert.deepEqual(offenders, [], 'import the shared types from harness/model/ instead');
});

test('the check sees imports of harness/scenario in every form, and only those', () => {
  const file = join(repoRoot, 'harness', 'k6', 'x.ts');
  const text = [
    "import type { Scenario } from '../scenario/types.ts';",
    "export { runScenario } from\n  '../scenario/run.ts';",
    "const m = await import('../scenario/sut.ts');",
    "import type { Scenario } from '../model/scenario.ts';",
    "import { scenario } from './scenario.ts';",
  ].join('\n');
  assert.deepEqual(scenarioImports(file, text), ['../scenario/types.ts', '../scenario/run.ts', '../scenario/sut.ts']);
});
