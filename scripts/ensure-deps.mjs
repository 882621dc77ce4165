// Installs npm dependencies when they are missing or older than the lockfile, so that
// `npm start` and `npm test` work on a fresh clone without a separate `npm install`.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('nines: installing npm dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

// `npm start` runs Prometheus (Debian's package) beside the stack: install the real tools
// when it is missing, as `npm test` does (scripts/setup-tools.sh, idempotent).
if (process.env.npm_lifecycle_event === 'prestart') {
  const onPath = ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')].some((d) => d && existsSync(`${d}/prometheus`));
  if (!onPath) {
    console.error('nines: Prometheus is missing; running scripts/setup-tools.sh…');
    execSync('bash scripts/setup-tools.sh', { stdio: 'inherit' });
  }
}
