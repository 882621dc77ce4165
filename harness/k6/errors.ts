/**
 * Errors of the k6 exporter and runner. Callers branch on `code`, never on the message;
 * every message says what to do next.
 */
import { NinesError } from '../../system/lib/errors.ts';

/** `--engine k6` was asked for, but no `k6` executable is on PATH. */
export class K6MissingError extends NinesError {
  constructor(searched: string) {
    super(
      'ERR_K6_MISSING',
      500,
      'k6 is not installed',
      `k6 is not on PATH (searched ${searched || 'an empty PATH'}); export the scenario with ` +
        '`nines k6 export <scenario>` and run the script where k6 is installed, or use the built-in engine',
    );
  }
}

/** k6 ran but did not complete the test (exit codes other than 0 and 99). */
export class K6RunError extends NinesError {
  readonly exitCode: number | null;
  constructor(exitCode: number | null, signal: string | null, stderrTail: string) {
    super(
      'ERR_K6_FAILED',
      500,
      'k6 run failed',
      `k6 exited with ${signal ? `signal ${signal}` : `code ${exitCode}`} before completing the test; ` +
        `its last output:\n${stderrTail || '(none)'}`,
    );
    this.exitCode = exitCode;
  }
}

/** A scenario that cannot be exported: missing fixtures, no images, bad weights or profile. */
export class K6ExportError extends NinesError {
  readonly problems: string[];
  constructor(scenario: string, problems: string[]) {
    super('ERR_K6_EXPORT', 400, 'Scenario cannot be exported', `cannot export scenario ${JSON.stringify(scenario)} to k6:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}
