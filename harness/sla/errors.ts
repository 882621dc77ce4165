/**
 * Errors for SLA specs. A bad spec is a scenario bug, so it is thrown, not turned into
 * an `unknown` verdict: a run judged against a misspelt threshold proves nothing.
 */
import { NinesError } from '../../system/lib/errors.ts';

/** An SLA threshold string that is not k6 threshold syntax. */
export class ThresholdSyntaxError extends NinesError {
  readonly source: string;
  constructor(source: string, detail: string) {
    super(
      'ERR_SLA_THRESHOLD',
      400,
      'Invalid SLA threshold',
      `invalid threshold ${JSON.stringify(source)}: ${detail}; ` +
        'write <aggregation><operator><number>, e.g. p(99)<500, p(99.9)<=800, avg<200, med<100, max<2000, rate<0.001, count>100, value<5',
    );
    this.source = source;
  }
}

/** A list of SLAs that failed validation; `problems` names every bad field at once. */
export class SlaSpecError extends NinesError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('ERR_SLA_SPEC', 400, 'Invalid SLA spec', `invalid SLA spec:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}
