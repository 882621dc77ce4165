/** The dashboard's error catalog; system/lib/http/problem.ts turns each into problem+json. */
import { NinesError } from '../../system/lib/errors.ts';

/** A query parameter the API does not take, or a value it does not know. */
export class BadQueryError extends NinesError {
  constructor(problems: string[]) {
    super('ERR_BAD_QUERY', 400, 'Bad query parameter', `fix the query string: ${problems.join('; ')}`, { extra: { problems } });
  }
}

/** A run file that is not one of the files a run folder holds. */
export class RunFileNotFoundError extends NinesError {
  constructor(path: string) {
    super('ERR_RUN_FILE_NOT_FOUND', 404, 'Not Found', `no stored run file ${path}; the chaos history at /api/runs lists what exists`);
  }
}
