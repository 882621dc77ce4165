/**
 * Finds the real external programs the topology runs: on PATH, or built by
 * scripts/setup-tools.sh into `.tools/bin`. A missing one is an error naming the command
 * that installs it — tests never skip for a missing tool.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from './process.ts';

export class MissingToolError extends Error {
  readonly code = 'ERR_MISSING_TOOL';
  constructor(tool: string) {
    super(`${tool} not found on PATH or in .tools/bin; install it with: bash scripts/setup-tools.sh`);
  }
}

/** Absolute path of `name` (e.g. 'consul', 'toxiproxy-server', 'haproxy'). */
export function tool(name: string): string {
  const local = join(repoRoot, '.tools', 'bin', name);
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin'])) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  throw new MissingToolError(name);
}
