/** A `nines` CLI command: one file each under harness/commands, registered in harness/cli.ts. */
export interface Command {
  /** e.g. 'tenant' for `nines tenant create …`. */
  name: string;
  /** One line for `nines --help`. */
  summary: string;
  /** The command's full help text, with examples. */
  help: string;
  /** Runs the command; resolves with the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A mistake in how a command was called: exit code 2, with a pointer to --help. */
export class UsageError extends Error {}

/**
 * A numeric option's value, or undefined when it was not given; anything but a number
 * above 0 (a whole number with `integer`) is a UsageError naming the option.
 */
export function positive(name: string, text: string | undefined, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number of at least 1' : 'a positive number'}, got '${text}'`);
  }
  return n;
}

/** Writes a line to stdout (the command's result; progress goes to stderr). */
export const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
