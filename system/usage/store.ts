/**
 * The usage store: SQLite via better-sqlite3. Three tables:
 *   batches  one row per batch id ever ingested, so a redelivered batch is counted once;
 *   records  one row per UsageRecord, keyed by requestId: the audit trail of every resize
 *            request, every field kept, so a record resent in another batch is counted once;
 *   hourly   the per-tenant, per-UTC-hour rollup that usage queries read.
 * The rollup is updated in the same transaction as the records it sums, so it can never
 * disagree with them, and no separate roll-up job (or leader to run it) is needed.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import type { UsageBatch, UsageRecord, UsageReport, UsageTotals } from './types.ts';

export interface IngestResult {
  /** True when the batch id was already stored; nothing was changed. */
  duplicate: boolean;
  /** Records actually inserted (records already seen under another batch are skipped). */
  inserted: number;
}

export interface UsageStore {
  /** Stores a batch and its records and updates the rollup, all or nothing; idempotent per batch id and per requestId. */
  ingest(batch: UsageBatch): IngestResult;
  /** Totals and per-hour rows for the hour buckets of `tenantId` whose start lies in [from, to). */
  query(tenantId: string, from: Date, to: Date): UsageReport;
  /** The newest `limit` raw records of `tenantId`, newest first. */
  records(tenantId: string, limit: number): UsageRecord[];
  /** Throws when the database cannot be read; for health checks. */
  ping(): void;
  close(): void;
}

export interface StoreOptions {
  /**
   * NORMAL (the default) is safe in WAL mode: a commit is in the WAL in the OS page cache
   * before `ingest` returns, so a process crash or SIGKILL (the faults the harness
   * injects) loses nothing, and the database is never corrupted. Only an OS crash or power
   * loss can roll back the last commits before the next WAL sync; those batches were
   * already acked. FULL closes that window at the cost of one fsync per batch.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

const HOUR_MS = 3_600_000;

/** The UTC hour `at` falls in, as an ISO string such as 2026-11-26T04:00:00.000Z. */
export function hourOf(at: string): string {
  return new Date(Math.floor(Date.parse(at) / HOUR_MS) * HOUR_MS).toISOString();
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  batch_id     TEXT PRIMARY KEY,
  api_id       TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  record_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  request_id    TEXT PRIMARY KEY,
  batch_id      TEXT NOT NULL,
  tenant_id     TEXT NOT NULL,
  key_id        TEXT NOT NULL,
  at            TEXT NOT NULL,
  status        INTEGER NOT NULL,
  error_code    TEXT,
  input_bytes   INTEGER NOT NULL,
  output_bytes  INTEGER NOT NULL,
  input_format  TEXT,
  output_format TEXT,
  input_width   INTEGER,
  input_height  INTEGER,
  output_width  INTEGER,
  output_height INTEGER,
  cpu_ms        REAL NOT NULL,
  duration_ms   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS records_tenant_at ON records (tenant_id, at);
CREATE TABLE IF NOT EXISTS hourly (
  tenant_id    TEXT NOT NULL,
  hour         TEXT NOT NULL,
  requests     INTEGER NOT NULL,
  succeeded    INTEGER NOT NULL,
  failed       INTEGER NOT NULL,
  input_bytes  INTEGER NOT NULL,
  output_bytes INTEGER NOT NULL,
  cpu_ms       REAL NOT NULL,
  PRIMARY KEY (tenant_id, hour)
);
`;

interface RecordRow {
  request_id: string;
  tenant_id: string;
  key_id: string;
  at: string;
  status: number;
  error_code: string | null;
  input_bytes: number;
  output_bytes: number;
  input_format: string | null;
  output_format: string | null;
  input_width: number | null;
  input_height: number | null;
  output_width: number | null;
  output_height: number | null;
  cpu_ms: number;
  duration_ms: number;
}

interface HourRow {
  hour: string;
  requests: number;
  succeeded: number;
  failed: number;
  input_bytes: number;
  output_bytes: number;
  cpu_ms: number;
}

const zeroTotals = (): UsageTotals => ({ requests: 0, succeeded: 0, failed: 0, inputBytes: 0, outputBytes: 0, cpuMs: 0 });

function addRecord(t: UsageTotals, r: UsageRecord): void {
  t.requests += 1;
  if (r.status < 400) t.succeeded += 1;
  else t.failed += 1;
  t.inputBytes += r.inputBytes;
  t.outputBytes += r.outputBytes;
  t.cpuMs += r.cpuMs;
}

function toRecord(row: RecordRow): UsageRecord {
  const r: UsageRecord = {
    requestId: row.request_id,
    tenantId: row.tenant_id,
    keyId: row.key_id,
    at: row.at,
    status: row.status,
    inputBytes: row.input_bytes,
    outputBytes: row.output_bytes,
    cpuMs: row.cpu_ms,
    durationMs: row.duration_ms,
  };
  // Absent optionals stay absent (not null), as the api server sent them.
  if (row.error_code !== null) r.errorCode = row.error_code;
  if (row.input_format !== null) r.inputFormat = row.input_format;
  if (row.output_format !== null) r.outputFormat = row.output_format;
  if (row.input_width !== null) r.inputWidth = row.input_width;
  if (row.input_height !== null) r.inputHeight = row.input_height;
  if (row.output_width !== null) r.outputWidth = row.output_width;
  if (row.output_height !== null) r.outputHeight = row.output_height;
  return r;
}

/** Opens (creating if needed, parent directory included) the usage database at `path`. */
export function openStore(path: string, opts: StoreOptions = {}): UsageStore {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  // Readers (health checks, a second process inspecting the file) must not fail the writer at once.
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const insertBatch = db.prepare(
    'INSERT OR IGNORE INTO batches (batch_id, api_id, received_at, record_count) VALUES (?, ?, ?, ?)',
  );
  const insertRecord = db.prepare(`INSERT OR IGNORE INTO records (
      request_id, batch_id, tenant_id, key_id, at, status, error_code, input_bytes, output_bytes,
      input_format, output_format, input_width, input_height, output_width, output_height, cpu_ms, duration_ms
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const upsertHour = db.prepare(`INSERT INTO hourly
      (tenant_id, hour, requests, succeeded, failed, input_bytes, output_bytes, cpu_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (tenant_id, hour) DO UPDATE SET
      requests = requests + excluded.requests,
      succeeded = succeeded + excluded.succeeded,
      failed = failed + excluded.failed,
      input_bytes = input_bytes + excluded.input_bytes,
      output_bytes = output_bytes + excluded.output_bytes,
      cpu_ms = cpu_ms + excluded.cpu_ms`);
  const selectHours = db.prepare<[string, string, string], HourRow>(
    `SELECT hour, requests, succeeded, failed, input_bytes, output_bytes, cpu_ms
       FROM hourly WHERE tenant_id = ? AND hour >= ? AND hour < ? ORDER BY hour`,
  );
  const selectRecords = db.prepare<[string, number], RecordRow>(
    'SELECT * FROM records WHERE tenant_id = ? ORDER BY at DESC, request_id DESC LIMIT ?',
  );
  const selectOne = db.prepare('SELECT 1');

  const ingestTx = db.transaction((batch: UsageBatch): IngestResult => {
    const b = insertBatch.run(batch.batchId, batch.apiId, new Date().toISOString(), batch.records.length);
    if (b.changes === 0) return { duplicate: true, inserted: 0 };
    // Sum only the records actually inserted, then upsert once per (tenant, hour).
    const sums = new Map<string, { tenantId: string; hour: string; t: UsageTotals }>();
    let inserted = 0;
    for (const r of batch.records) {
      // Normalised to UTC with milliseconds so string order is time order.
      const at = new Date(r.at).toISOString();
      const res = insertRecord.run(
        r.requestId, batch.batchId, r.tenantId, r.keyId, at, r.status, r.errorCode ?? null,
        r.inputBytes, r.outputBytes, r.inputFormat ?? null, r.outputFormat ?? null,
        r.inputWidth ?? null, r.inputHeight ?? null, r.outputWidth ?? null, r.outputHeight ?? null,
        r.cpuMs, r.durationMs,
      );
      if (res.changes === 0) continue;
      inserted += 1;
      const hour = hourOf(at);
      const key = `${r.tenantId}\u0000${hour}`;
      let s = sums.get(key);
      if (!s) sums.set(key, (s = { tenantId: r.tenantId, hour, t: zeroTotals() }));
      addRecord(s.t, r);
    }
    for (const { tenantId, hour, t } of sums.values()) {
      upsertHour.run(tenantId, hour, t.requests, t.succeeded, t.failed, t.inputBytes, t.outputBytes, t.cpuMs);
    }
    return { duplicate: false, inserted };
  });

  return {
    ingest(batch) {
      try {
        // IMMEDIATE takes the write lock up front, so the transaction never has to upgrade.
        return ingestTx.immediate(batch);
      } catch (err) {
        throw new StoreError(`could not store usage batch ${batch.batchId}`, err);
      }
    },

    query(tenantId, from, to) {
      const totals = zeroTotals();
      const hours = selectHours.all(tenantId, from.toISOString(), to.toISOString()).map((h) => {
        const row = {
          hour: h.hour,
          requests: h.requests,
          succeeded: h.succeeded,
          failed: h.failed,
          inputBytes: h.input_bytes,
          outputBytes: h.output_bytes,
          cpuMs: h.cpu_ms,
        };
        totals.requests += row.requests;
        totals.succeeded += row.succeeded;
        totals.failed += row.failed;
        totals.inputBytes += row.inputBytes;
        totals.outputBytes += row.outputBytes;
        totals.cpuMs += row.cpuMs;
        return row;
      });
      return { tenantId, from: from.toISOString(), to: to.toISOString(), totals, hours };
    },

    records(tenantId, limit) {
      return selectRecords.all(tenantId, limit).map(toRecord);
    },

    ping() {
      selectOne.get();
    },

    close() {
      if (db.open) db.close();
    },
  };
}
