// Every file of the repository that a comment, a document or a message names must exist:
// a reader who follows "see harness/sla/judge.ts" must find it. (Comments once cited an
// ARCHITECTURE.md and a sniff-probe benchmark the repository did not have.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../harness/stack/process.ts';

const TOP = '(?:harness|system|bench|scripts|test|scenarios|dashboards|terraform)';
const EXT = '(?:ts|js|mjs|md|json|sh|ya?ml|cfg|tf|tftpl|html)';
// A path from a top-level folder, not part of a longer path or URL (no letter, dot or slash before it).
const CITED = new RegExp(`(?<![A-Za-z0-9_./-])${TOP}/[A-Za-z0-9_./-]+?\\.${EXT}(?![A-Za-z0-9_])`, 'g');

test('every repository file cited in code, docs and scripts exists', () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(ts|js|mjs|md|sh|ya?ml|cfg|tf)$/.test(f) && existsSync(join(repoRoot, f)));
  assert.ok(tracked.length > 100, `git ls-files found the sources (${tracked.length})`);
  const missing: string[] = [];
  for (const file of tracked) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const m of text.matchAll(CITED)) if (!existsSync(join(repoRoot, m[0]))) missing.push(`${file} cites ${m[0]}`);
  }
  assert.deepEqual(missing, []);
});
