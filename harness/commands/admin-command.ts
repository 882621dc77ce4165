/**
 * What the admin commands (tenant, key) share: argument parsing with --help, and how errors
 * become exit codes: 2 for a usage mistake or
 * a missing admin target, 1 when the admin API refused, and anything else is a bug to throw.
 */
import { AdminApiError } from '../../system/identity/errors.ts';
import { AdminTargetError } from '../../system/identity/admin-target.ts';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, out } from './types.ts';

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

/**
 * Parses an admin command's arguments. Returns the exit code when there is nothing more to
 * do: 2 after printing a usage error, 0 after printing `help` for --help.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, help: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    process.stderr.write(`nines ${command}: ${(err as Error).message}\nrun \`nines ${command} --help\` for usage\n`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    out(help);
    return 0;
  }
  return parsed;
}
