/**
 * How the admin commands (tenant, key) turn errors into exit codes: 2 for a usage mistake or
 * a missing admin target, 1 when the admin API refused, and anything else is a bug to throw.
 */
import { AdminApiError } from '../../system/identity/errors.ts';
import { AdminTargetError } from '../../system/identity/admin-target.ts';
import { UsageError } from './types.ts';

export function adminExitCode(command: string, err: unknown): number {
  if (err instanceof UsageError || err instanceof AdminTargetError) {
    process.stderr.write(`nines ${command}: ${err.message}\nrun \`nines ${command} --help\` for usage\n`);
    return 2;
  }
  if (err instanceof AdminApiError) {
    process.stderr.write(`nines ${command}: ${err.code}: ${err.message}\n`);
    return 1;
  }
  throw err;
}
