import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hourOf, openStore } from '../../../system/usage/store.ts';
import { batch, record, tempDir } from './helpers.ts';

const day = (from: string, to: string) => [new Date(from), new Date(to)] as const;

test('ingest stores the records and rolls them up per tenant and hour', (t) => {
  const store = openStore(join(tempDir(t), 'nested', 'dir', 'usage.db'));
  t.after(() => store.close());
  const r = store.ingest(
    batch('b1', [
      record({ at: '2026-11-26T04:00:00.000Z', status: 200, inputBytes: 100, outputBytes: 10, cpuMs: 1.5 }),
      record({ at: '2026-11-26T04:59:59.999Z', status: 429, inputBytes: 200, outputBytes: 0, cpuMs: 0 }),
      record({ at: '2026-11-26T05:00:00.000Z', status: 500, inputBytes: 300, outputBytes: 0, cpuMs: 2 }),
      record({ at: '2026-11-26T07:30:00+02:00', status: 399, inputBytes: 400, outputBytes: 40, cpuMs: 4 }),
    ]),
  );
  assert.deepEqual(r, { duplicate: false, inserted: 4 });

  const rep = store.query('tenant-a', ...day('2026-11-26T00:00:00Z', '2026-11-27T00:00:00Z'));
  assert.deepEqual(
    rep.hours.map((h) => [h.hour, h.requests, h.succeeded, h.failed, h.inputBytes, h.outputBytes, h.cpuMs]),
    [
      ['2026-11-26T04:00:00.000Z', 2, 1, 1, 300, 10, 1.5],
      // 07:30+02:00 is 05:30Z: offsets are folded into the UTC hour.
      ['2026-11-26T05:00:00.000Z', 2, 1, 1, 700, 40, 6],
    ],
  );
  assert.deepEqual(rep.totals, { requests: 4, succeeded: 2, failed: 2, inputBytes: 1000, outputBytes: 50, cpuMs: 7.5 });
  const sum = rep.hours.reduce((n, h) => n + h.requests, 0);
  assert.equal(sum, rep.totals.requests);
  assert.equal(rep.from, '2026-11-26T00:00:00.000Z');
  assert.equal(rep.to, '2026-11-27T00:00:00.000Z');
});

test('the same batch ingested twice is counted once', (t) => {
  const store = openStore(join(tempDir(t), 'usage.db'));
  t.after(() => store.close());
  const b = batch('dup', [record(), record()]);
  assert.deepEqual(store.ingest(b), { duplicate: false, inserted: 2 });
  const before = store.query('tenant-a', ...day('2026-11-26T00:00:00Z', '2026-11-27T00:00:00Z'));
  // Even with different content under the same id, a stored batch id changes nothing.
  assert.deepEqual(store.ingest(b), { duplicate: true, inserted: 0 });
  assert.deepEqual(store.ingest(batch('dup', [record()])), { duplicate: true, inserted: 0 });
  const after = store.query('tenant-a', ...day('2026-11-26T00:00:00Z', '2026-11-27T00:00:00Z'));
  assert.deepEqual(after, before);
  assert.equal(after.totals.requests, 2);
  assert.equal(store.records('tenant-a', 100).length, 2);
});

test('a record resent inside a different batch is counted once', (t) => {
  const store = openStore(join(tempDir(t), 'usage.db'));
  t.after(() => store.close());
  const a = record({ inputBytes: 10 });
  const b = record({ inputBytes: 20 });
  assert.deepEqual(store.ingest(batch('first', [a])), { duplicate: false, inserted: 1 });
  assert.deepEqual(store.ingest(batch('second', [a, b, b])), { duplicate: false, inserted: 1 });
  const rep = store.query('tenant-a', ...day('2026-11-26T00:00:00Z', '2026-11-27T00:00:00Z'));
  assert.equal(rep.totals.requests, 2);
  assert.equal(rep.totals.inputBytes, 30);
});

test('a query sees only its own tenant', (t) => {
  const store = openStore(join(tempDir(t), 'usage.db'));
  t.after(() => store.close());
  store.ingest(batch('mixed', [record({ tenantId: 'A', inputBytes: 1 }), record({ tenantId: 'B', inputBytes: 1000 }), record({ tenantId: 'B' })]));
  const range = day('2026-11-26T00:00:00Z', '2026-11-27T00:00:00Z');
  assert.equal(store.query('A', ...range).totals.requests, 1);
  assert.equal(store.query('A', ...range).totals.inputBytes, 1);
  assert.equal(store.query('B', ...range).totals.requests, 2);
  assert.ok(store.records('A', 100).every((r) => r.tenantId === 'A'));
  assert.equal(store.records('A', 100).length, 1);
  assert.equal(store.query('nobody', ...range).totals.requests, 0);
  assert.deepEqual(store.query('nobody', ...range).hours, []);
});

test('query covers the hour buckets that start in [from, to)', (t) => {
  const store = openStore(join(tempDir(t), 'usage.db'));
  t.after(() => store.close());
  store.ingest(
    batch('hours', ['03:10', '04:10', '05:10', '06:10'].map((hm) => record({ at: `2026-11-26T${hm}:00.000Z` }))),
  );
  const rep = store.query('tenant-a', ...day('2026-11-26T04:00:00Z', '2026-11-26T06:00:00Z'));
  assert.deepEqual(rep.hours.map((h) => h.hour), ['2026-11-26T04:00:00.000Z', '2026-11-26T05:00:00.000Z']);
  assert.equal(rep.totals.requests, 2);
});

test('records keeps every field and returns the newest first', (t) => {
  const store = openStore(join(tempDir(t), 'usage.db'));
  t.after(() => store.close());
  const old = record({ at: '2026-11-26T01:00:00.000Z' });
  const failed = record({ at: '2026-11-26T02:00:00.000Z', status: 415, errorCode: 'ERR_UNSUPPORTED_FORMAT', outputBytes: 0 });
  delete failed.outputFormat;
  delete failed.outputWidth;
  delete failed.outputHeight;
  const newest = record({ at: '2026-11-26T03:00:00.000Z' });
  store.ingest(batch('audit', [old, newest, failed]));
  assert.deepEqual(store.records('tenant-a', 10), [newest, failed, old]);
  assert.deepEqual(store.records('tenant-a', 1), [newest]);
});

test('data survives closing and reopening the store', (t) => {
  const path = join(tempDir(t), 'usage.db');
  const first = openStore(path);
  first.ingest(batch('persist', [record(), record()]));
  first.close();
  assert.ok(existsSync(path));

  const second = openStore(path);
  t.after(() => second.close());
  const range = day('2026-11-26T00:00:00Z', '2026-11-27T00:00:00Z');
  assert.equal(second.query('tenant-a', ...range).totals.requests, 2);
  assert.equal(second.records('tenant-a', 10).length, 2);
  // The batch id survived too, so a redelivery after a restart is still a duplicate.
  assert.deepEqual(second.ingest(batch('persist', [record()])), { duplicate: true, inserted: 0 });
});

test('hourOf truncates to the UTC hour', () => {
  assert.equal(hourOf('2026-11-26T04:59:59.999Z'), '2026-11-26T04:00:00.000Z');
  assert.equal(hourOf('2026-11-26T00:30:00-01:00'), '2026-11-26T01:00:00.000Z');
  assert.equal(hourOf('1969-12-31T23:59:00Z'), '1969-12-31T23:00:00.000Z');
});
