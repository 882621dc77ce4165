// Installs npm dependencies when they are missing or were installed from another lockfile,
// so that `npm start` and `npm test` work on a fresh clone without a separate `npm install`.
// The lockfile's content is compared, not its age: a checkout (a new git worktree) touches
// the file without changing it, and an `npm ci` for nothing wipes node_modules under any
// test that is running from it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execSync } from 'node:child_process';

const marker = 'node_modules/.nines-lockfile.sha256';
const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const installed = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : '';
if (installed !== lockHash) {
  console.error('nines: installing npm dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  writeFileSync(marker, `${lockHash}\n`);
}

// `npm start` runs Prometheus (Debian's package) beside the stack, and the worker and the
// benches want the TurboJPEG binding (built against Debian's libturbojpeg): install the real
// tools when either is missing (scripts/setup-tools.sh, idempotent). Not before `npm test`,
// whose runner (scripts/test.mjs) runs that script first anyway.
const lifecycle = process.env.npm_lifecycle_event;
const binding = 'system/worker/turbojpeg/build/turbojpeg.node';
const prometheusOnPath = ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')].some((d) => d && existsSync(`${d}/prometheus`));
const missing = [
  ...(lifecycle === 'prestart' && !prometheusOnPath ? ['Prometheus'] : []),
  ...(existsSync(binding) ? [] : ['the TurboJPEG binding']),
];
if (lifecycle !== 'pretest' && missing.length > 0) {
  console.error(`nines: ${missing.join(' and ')} missing; running scripts/setup-tools.sh…`);
  execSync('bash scripts/setup-tools.sh', { stdio: 'inherit' });
}
