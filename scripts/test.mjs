// `npm test`: installs the real tools the tests need when they are missing, type-checks,
// then runs every test file under test/ with node:test (Node 20 takes paths, not globs).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const walk = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });

const only = process.argv.slice(2);
const files = only.length ? only : walk('test').sort();

run('bash', ['scripts/setup-tools.sh']);
if (!only.length) {
  run('npx', ['tsc', '--noEmit']);
  // The k6 script is JS checked against @types/k6, not Node's types: its own tsconfig.
  run('npx', ['tsc', '-p', 'harness/k6/script']);
  run('npx', ['eslint', '.']);
}
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files]);
