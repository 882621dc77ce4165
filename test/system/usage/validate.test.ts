import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBatch, MAX_RECORDS_PER_BATCH } from '../../../system/usage/validate.ts';
import { InvalidBatchError } from '../../../system/usage/errors.ts';
import { batch, record } from './helpers.ts';

const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

const refuses = (payload: Buffer, problem: RegExp) =>
  assert.throws(
    () => parseBatch(payload),
    (err: unknown) => err instanceof InvalidBatchError && err.code === 'ERR_INVALID_BATCH' && err.problems.some((p) => problem.test(p)),
  );

test('a well-formed batch parses to itself', () => {
  const b = batch('b1', [record(), record({ status: 500, errorCode: 'ERR_WORKER' })]);
  assert.deepEqual(parseBatch(bytes(b)), b);
  assert.deepEqual(parseBatch(bytes(batch('empty', []))).records, []);
});

test('malformed batches are refused with every problem listed', () => {
  refuses(bytes('{not json'), /not JSON/);
  refuses(bytes(null), /\(root\)/);
  refuses(bytes({ batchId: 'b', apiId: 'api-1' }), /^records:/);
  refuses(bytes({ ...batch('b', []), extra: 1 }), /extra/);
  refuses(bytes(batch('b', [{ ...record(), surprise: true } as never])), /surprise/);
  refuses(bytes(batch('b', [record({ at: 'yesterday' })])), /^records\.0\.at:/);
  refuses(bytes(batch('b', [record({ at: '2026-02-29T00:00:00Z' })])), /^records\.0\.at:/);
  refuses(bytes(batch('b', [record({ at: '1970-01-01T00:00:00+01:00' })])), /^records\.0\.at:.*1970/);
  refuses(bytes(batch('b', [record({ status: 9000 })])), /^records\.0\.status:/);
  refuses(bytes(batch('b', [record({ inputBytes: -1 })])), /^records\.0\.inputBytes:/);
  refuses(bytes(batch('b', [record({ tenantId: 'x'.repeat(129) })])), /^records\.0\.tenantId:/);
  refuses(bytes(batch('', [])), /^batchId:/);
  // apiId becomes a topic segment: wildcards and separators would misdirect the ack.
  refuses(bytes(batch('b', [], 'api/../x')), /^apiId:/);
  refuses(bytes(batch('b', [], '+')), /^apiId:/);
  const err = (() => {
    try {
      parseBatch(bytes({ batchId: 1, apiId: 2, records: 3 }));
    } catch (e) {
      return e as InvalidBatchError;
    }
  })();
  assert.equal(err?.problems.length, 3);
});

test('a batch over the record limit is refused', () => {
  const r = record();
  const many = batch('big', Array.from({ length: MAX_RECORDS_PER_BATCH + 1 }, () => r));
  refuses(bytes(many), /^records:/);
});
