/**
 * history.jsonl: a run's history as JSON lines, so an engine can append while it runs and
 * a crash mid-run still leaves every completed second readable. It holds everything the
 * checkers judge, so `nines verdict <run-dir>` recomputes a run's verdict from this file
 * alone. Each line has a `type`:
 *   {"type":"run", scenario, seed, startedAt, settings, slas?, machine?}   first line, exactly once
 *   {"type":"second", …SecondBucket}                                     one per second
 *   {"type":"failure", …FailedRequest}                                   one per kept failure
 *   {"type":"fault", …FaultWindow}                                       one per fault window
 *   {"type":"op", …NemesisOp}                                            one per nemesis start/heal
 *   {"type":"probe", …ProbeSample}                                       one per failover-probe request
 *   {"type":"dispatch", …DispatchEvent}                                  one per logged broker dispatch
 *   {"type":"dispatch-log", count | error}                               the dispatch log was read (count events) or not
 *   {"type":"measurement", name, value}                                  one per figure
 * (`type`, not `kind`, because a FailedRequest already has a `kind`.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { DispatchEvent, History } from '../load/history.ts';

type Head = Pick<History, 'scenario' | 'seed' | 'startedAt' | 'settings' | 'slas' | 'machine'>;

/** The lines of a history, in the order above. */
export function historyLines(h: History): string[] {
  const line = (type: string, o: object) => JSON.stringify({ type, ...o });
  const head: Head = { scenario: h.scenario, seed: h.seed, startedAt: h.startedAt, settings: h.settings, ...(h.slas ? { slas: h.slas } : {}), ...(h.machine ? { machine: h.machine } : {}) };
  const log = h.dispatchLog;
  return [
    line('run', head),
    ...h.seconds.map((s) => line('second', s)),
    ...h.failures.map((f) => line('failure', f)),
    ...h.faults.map((f) => line('fault', f)),
    ...(h.ops ?? []).map((o) => line('op', o)),
    ...(h.probe ?? []).map((p) => line('probe', p)),
    ...(log ? [line('dispatch-log', 'error' in log ? { error: log.error } : { count: log.events.length })] : []),
    ...(log && 'events' in log ? log.events.map((e) => line('dispatch', e)) : []),
    ...Object.entries(h.measurements ?? {}).map(([name, value]) => line('measurement', { name, value })),
  ];
}

/** Writes a history as JSON lines to `file`. */
export async function writeHistory(file: string, h: History): Promise<void> {
  await writeFile(file, historyLines(h).join('\n') + '\n');
}

/** A history being read back: the head once, the rest appended as their lines come. */
interface Reading {
  head?: Head;
  h: Omit<History, keyof Head>;
  /** Set by the dispatch-log line: the events that follow, or why there are none. */
  dispatchLog?: { events: DispatchEvent[] } | { error: string };
}

type Rec = Record<string, unknown>;

const readers: Record<string, (r: Reading, rec: Rec) => void> = {
  run: (r, rec) => void (r.head = rec as unknown as Head),
  second: (r, rec) => void r.h.seconds.push(rec as never),
  failure: (r, rec) => void r.h.failures.push(rec as never),
  fault: (r, rec) => void r.h.faults.push(rec as never),
  op: (r, rec) => void (r.h.ops ??= []).push(rec as never),
  probe: (r, rec) => void (r.h.probe ??= []).push(rec as never),
  'dispatch-log': (r, rec) => void (r.dispatchLog = 'error' in rec ? { error: String(rec['error']) } : { events: [] }),
  dispatch: (r, rec) => {
    if (!r.dispatchLog || !('events' in r.dispatchLog)) throw new Error('a dispatch line before its dispatch-log line');
    r.dispatchLog.events.push(rec as never);
  },
  measurement: (r, rec) => void ((r.h.measurements ??= {})[String(rec['name'])] = Number(rec['value'])),
};

/** Reads history.jsonl back; throws naming the line that is not a history record. */
export async function readHistory(file: string): Promise<History> {
  const text = await readFile(file, 'utf8');
  const r: Reading = { h: { seconds: [], failures: [], faults: [] } };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!raw.trim()) continue;
    let rec: Rec;
    try {
      rec = JSON.parse(raw);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not JSON (${(err as Error).message})`, { cause: err });
    }
    const { type, ...rest } = rec;
    const read = typeof type === 'string' && Object.hasOwn(readers, type) ? readers[type] : undefined;
    if (!read) throw new Error(`${file}:${i + 1}: unknown record type ${JSON.stringify(type)}`);
    try {
      read(r, rest);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (r.head === undefined) throw new Error(`${file}: no {"type":"run"} line; not a history file`);
  return { ...r.head, ...r.h, ...(r.dispatchLog ? { dispatchLog: r.dispatchLog } : {}) };
}
