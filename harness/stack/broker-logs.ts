/**
 * Reading the brokers' JSON log files: the dispatch events the split-brain checker judges,
 * and the election lines a failed failover assertion shows. Each dispatch line is decoded
 * through a schema: a line the checker cannot read is an error, never silently skipped,
 * because the one line skipped could be the overlap the checker exists to find.
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';

/** One job dispatched by one broker under one epoch of one queue shard. */
export interface DispatchEvent {
  broker: string;
  shard: number;
  epoch: number;
  /** Wall-clock ms (every broker runs on one machine, so one clock). */
  t: number;
  jobId: string;
}

export class DispatchLogError extends Error {
  readonly code = 'ERR_DISPATCH_LOG';
}

/** One line per dispatched frame (system/broker/dispatcher.ts), which carries a batch of jobs. */
const frameLine = z.object({
  event: z.literal('dispatch'),
  shard: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  worker: z.string().optional(),
  jobIds: z.array(z.string().min(1)).min(1),
  t: z.number(),
});

/** The JSON lines of a log file that contain `marker`, parsed; a torn last line (a killed process) is skipped. */
function* jsonLines(logFile: string, marker: string): Generator<{ n: number; e: Record<string, unknown> }> {
  if (!existsSync(logFile)) return;
  const lines = readFileSync(logFile, 'utf8').split('\n');
  for (const [i, text] of lines.entries()) {
    if (!text.includes(marker)) continue;
    try {
      yield { n: i + 1, e: JSON.parse(text) as Record<string, unknown> };
    } catch {
      // a torn last line of a killed process: skip it
    }
  }
}

/** A broker's dispatch events, one per job id; throws DispatchLogError on a dispatch line it cannot decode. */
export function readDispatches(logFile: string, broker: string): DispatchEvent[] {
  const out: DispatchEvent[] = [];
  for (const { n, e } of jsonLines(logFile, '"dispatch"')) {
    if (e.event !== 'dispatch') continue; // other lines of the broker's 'dispatch' module
    const frame = frameLine.safeParse(e);
    if (!frame.success) {
      const why = frame.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join(', ');
      throw new DispatchLogError(`${logFile}:${n} is a dispatch line the split-brain checker cannot read (${why}); fix the broker's dispatch log line`);
    }
    const { shard, epoch, t } = frame.data;
    for (const jobId of frame.data.jobIds) out.push({ broker, shard, epoch, t, jobId });
  }
  return out;
}

/** A broker's election log lines (module 'election'), each as `<time> <broker> <msg> {fields}`. */
export function readElectionLines(logFile: string, broker: string): Array<{ t: number; line: string }> {
  const out: Array<{ t: number; line: string }> = [];
  for (const { e } of jsonLines(logFile, '"election"')) {
    if (e.module !== 'election') continue;
    const fields = Object.fromEntries(Object.entries(e).filter(([k]) => !['time', 'msg', 'module', 'level', 'service', 'pid'].includes(k)));
    out.push({ t: Date.parse(String(e.time)), line: `${String(e.time)} ${broker} ${String(e.msg)} ${JSON.stringify(fields)}` });
  }
  return out;
}
