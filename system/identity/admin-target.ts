/**
 * Where the CLI finds the identity admin API: flags, else environment, else the demo
 * file `npm start` writes. Kept apart from the commands so `tenant` and `key` agree.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AdminTarget {
  adminUrl: string;
  adminToken: string;
}

/** A usage problem: the CLI exits 2 with this message. */
export class AdminTargetError extends Error {
  readonly code = 'ERR_ADMIN_TARGET';
}

export const DEMO_FILE = '.nines/demo.json';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function readDemo(cwd: string): { adminUrl?: unknown; adminToken?: unknown; file: string } | undefined {
  // The repo root too, so the CLI finds a running demo from any working directory.
  for (const dir of new Set([cwd, repoRoot])) {
    const file = join(dir, DEMO_FILE);
    try {
      return { ...(JSON.parse(readFileSync(file, 'utf8')) as object), file };
    } catch {
      // missing or unreadable: try the next place
    }
  }
  return undefined;
}

/**
 * Resolves the admin URL and token, each from the first of: `--admin-url`/`--admin-token`,
 * NINES_ADMIN_URL/NINES_ADMIN_TOKEN in `env`, `.nines/demo.json`. Throws AdminTargetError
 * naming all three ways when one is missing.
 */
export function resolveAdminTarget(
  flags: { 'admin-url'?: string | undefined; 'admin-token'?: string | undefined },
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): AdminTarget {
  let adminUrl = flags['admin-url'] ?? env.NINES_ADMIN_URL;
  let adminToken = flags['admin-token'] ?? env.NINES_ADMIN_TOKEN;
  if (!adminUrl || !adminToken) {
    const demo = readDemo(cwd);
    if (!adminUrl && typeof demo?.adminUrl === 'string') adminUrl = demo.adminUrl;
    if (!adminToken && typeof demo?.adminToken === 'string') adminToken = demo.adminToken;
  }
  const missing = [!adminUrl && 'admin URL', !adminToken && 'admin token'].filter(Boolean);
  if (!adminUrl || !adminToken) {
    throw new AdminTargetError(
      `no ${missing.join(' or ')}: pass --admin-url and --admin-token, or set NINES_ADMIN_URL and ` +
        `NINES_ADMIN_TOKEN, or run \`npm start\` (it writes ${DEMO_FILE})`,
    );
  }
  try {
    new URL(adminUrl);
  } catch {
    throw new AdminTargetError(`admin URL "${adminUrl}" is not a URL; expected e.g. http://127.0.0.1:8081`);
  }
  return { adminUrl, adminToken };
}
