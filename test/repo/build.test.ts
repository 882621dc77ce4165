/**
 * scripts/build.mjs, on a small project of its own in a temporary folder: a bundle runs
 * without tsx and still finds the files beside its sources (import.meta.url), also after the
 * checkout moves; an unchanged tree is not built again; a changed source is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, builtPath, entries } from '../../scripts/build.mjs';

const ENTRY = 'src/demo/main.ts';

function project(root: string, greeting: string): void {
  mkdirSync(join(root, 'src', 'demo', 'assets'), { recursive: true });
  mkdirSync(join(root, 'src', 'lib'), { recursive: true });
  writeFileSync(join(root, 'src', 'demo', 'main.ts'), `import { asset } from '../lib/asset.ts';\nconst n: number = 2;\nconsole.log(asset(), n, import.meta.dirname.endsWith('/src/demo'));\n`);
  // A module that reads a file beside itself, as the worker's binding loader does.
  writeFileSync(join(root, 'src', 'lib', 'asset.ts'), `import { readFileSync } from 'node:fs';\nexport const asset = (): string => readFileSync(new URL('../demo/assets/greeting.txt', import.meta.url), 'utf8').trim();\n`);
  writeFileSync(join(root, 'src', 'demo', 'assets', 'greeting.txt'), `${greeting}\n`);
}

const run = (root: string) => execFileSync(process.execPath, [builtPath(ENTRY, root)], { encoding: 'utf8' }).trim();

test('a bundle runs as plain JavaScript, finds the files beside its sources, and is rebuilt only when a source changed', { timeout: 60_000 }, async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'nines-build-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  let root = join(parent, 'checkout');
  project(root, 'hello');

  assert.equal((await build({ root, entryList: [ENTRY] })).built, true);
  assert.equal(run(root), 'hello 2 true');
  assert.equal((await build({ root, entryList: [ENTRY] })).built, false, 'nothing changed, nothing built');

  writeFileSync(join(root, 'src', 'lib', 'asset.ts'), `export const asset = (): string => 'changed';\n`);
  const later = new Date(Date.now() + 5_000);
  utimesSync(join(root, 'src', 'lib', 'asset.ts'), later, later);
  assert.equal((await build({ root, entryList: [ENTRY] })).built, true, 'a changed import is a reason to build');
  assert.equal(run(root), 'changed 2 true');

  // The bundle finds its sources' files relative to itself, so a moved checkout still runs.
  project(root, 'moved');
  await build({ root, entryList: [ENTRY], force: true });
  const moved = join(parent, 'elsewhere');
  renameSync(root, moved);
  root = moved;
  assert.equal(run(root), 'moved 2 true');
});

test('the services and the CLI are the entries built, each to dist/<entry>.js', () => {
  assert.deepEqual([...entries].sort(), ['harness/cli.ts', 'system/api/main.ts', 'system/broker/main.ts', 'system/identity/main.ts', 'system/usage/main.ts', 'system/worker/main.ts']);
  assert.match(builtPath('system/api/main.ts'), /\/dist\/system\/api\/main\.js$/);
});
