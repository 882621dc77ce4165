/**
 * history.jsonl: a run's history as JSON lines, so an engine can append while it runs and
 * a crash mid-run still leaves every completed second readable. Each line has a `type`:
 *   {"type":"run", scenario, seed, startedAt, settings}        first line, exactly once
 *   {"type":"second", …SecondBucket}                           one per second
 *   {"type":"failure", …FailedRequest}                         one per kept failure
 *   {"type":"fault", …FaultWindow}                             one per fault window
 *   {"type":"measurement", name, value}                        one per probe figure
 * (`type`, not `kind`, because a FailedRequest already has a `kind`.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { FailedRequest, FaultWindow, History, SecondBucket } from '../load/history.ts';

/** The lines of a history, in the order above. */
export function historyLines(h: History): string[] {
  const line = (type: string, o: object) => JSON.stringify({ type, ...o });
  return [
    line('run', { scenario: h.scenario, seed: h.seed, startedAt: h.startedAt, settings: h.settings }),
    ...h.seconds.map((s) => line('second', s)),
    ...h.failures.map((f) => line('failure', f)),
    ...h.faults.map((f) => line('fault', f)),
    ...Object.entries(h.measurements ?? {}).map(([name, value]) => line('measurement', { name, value })),
  ];
}

/** Writes a history as JSON lines to `file`. */
export async function writeHistory(file: string, h: History): Promise<void> {
  await writeFile(file, historyLines(h).join('\n') + '\n');
}

/** Reads history.jsonl back; throws naming the line that is not a history record. */
export async function readHistory(file: string): Promise<History> {
  const text = await readFile(file, 'utf8');
  type Head = Pick<History, 'scenario' | 'seed' | 'startedAt' | 'settings'>;
  let head: Head | undefined;
  const seconds: SecondBucket[] = [];
  const failures: FailedRequest[] = [];
  const faults: FaultWindow[] = [];
  const measurements: Record<string, number> = {};
  let hasMeasurements = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!raw.trim()) continue;
    let rec: { type?: unknown } & Record<string, unknown>;
    try {
      rec = JSON.parse(raw);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not JSON (${(err as Error).message})`, { cause: err });
    }
    const { type, ...rest } = rec;
    if (type === 'run') head = rest as unknown as Head;
    else if (type === 'second') seconds.push(rest as unknown as SecondBucket);
    else if (type === 'failure') failures.push(rest as unknown as FailedRequest);
    else if (type === 'fault') faults.push(rest as unknown as FaultWindow);
    else if (type === 'measurement') {
      measurements[String(rest['name'])] = Number(rest['value']);
      hasMeasurements = true;
    } else throw new Error(`${file}:${i + 1}: unknown record type ${JSON.stringify(type)}`);
  }
  if (head === undefined) throw new Error(`${file}: no {"type":"run"} line; not a history file`);
  const h: Head = head;
  return { ...h, seconds, failures, faults, ...(hasMeasurements ? { measurements } : {}) };
}
