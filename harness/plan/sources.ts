/**
 * Where `nines plan` finds its measurements, and how each is decoded: the latest full
 * capacity scenario run (runs/capacity/<time>/report.json), the latest `npm run bench:queue`
 * (runs/bench-queue/<time>/measurement.json) and the latest bench/cpu-split run
 * (runs/bench-cpu-split/<time>/measurement.json). Each file is decoded through a schema;
 * one that does not decode is skipped with a note, never half-read. A tier with no
 * measurement is an error naming the command that makes one, never a guessed default.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Where a figure came from: the file, when it was measured, and the figure as read. */
export interface Source {
  file: string;
  measuredAt: string;
  figure: string;
  machine?: string;
}

export interface Measured<T> {
  value: T;
  source: Source;
}

export class MissingMeasurementError extends Error {
  readonly code = 'ERR_NO_MEASUREMENT';
  constructor(
    readonly tier: string,
    readonly command: string,
    why: string,
  ) {
    super(`no measurement for ${tier} (${why}); make one with: ${command}`);
  }
}

const capacityReport = z.object({
  startedAt: z.string(),
  settings: z.object({ quick: z.boolean().optional(), images: z.array(z.object({ fixture: z.string() })).min(1) }),
  capacity: z.object({ sustainedRate: z.number().positive(), cores: z.number().int().positive(), windowS: z.number() }),
});

const queueMeasurement = z.object({
  format: z.literal('nines.measurement/1'),
  startedAt: z.string(),
  machine: z.string(),
  kinds: z.array(z.object({ kind: z.string(), ceiling: z.number().positive().nullable(), brokerUsPerJobAtCeiling: z.number().nullable() })).min(1),
});

const cpuSplitMeasurement = z.object({
  format: z.literal('nines.measurement/1'),
  startedAt: z.string(),
  machine: z.string(),
  image: z.string(),
  cpuMsPerRequest: z.array(z.object({ api: z.number().positive(), usage: z.number().positive() })).min(1),
});

/** Run folders of `name` under runs/, newest first (their names are UTC stamps). */
function runFolders(runs: string, name: string): string[] {
  const dir = join(runs, name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => /^\d{8}-\d{6}$/.test(d))
    .sort()
    .reverse()
    .map((d) => join(dir, d));
}

/** The newest file `file` in runs/`name`/* that decodes through `schema` and passes `keep`. */
function latest<T>(runs: string, name: string, file: string, schema: z.ZodType<T>, keep: (v: T) => boolean = () => true): { path: string; value: T } | undefined {
  for (const dir of runFolders(runs, name)) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      continue; // a half-written or foreign file is not a measurement
    }
    const r = schema.safeParse(raw);
    if (r.success && keep(r.data)) return { path, value: r.data };
  }
  return undefined;
}

/** Resizes/s one machine of `cores` cores held within SLA with `fixture`, from the newest full capacity run. */
export function workerCapacity(runs: string, fixture?: string): Measured<{ ratePerS: number; cores: number; fixture: string }> {
  const found = latest(runs, 'capacity', 'report.json', capacityReport, (r) => !r.settings.quick && (fixture === undefined || r.settings.images.some((i) => i.fixture === fixture)));
  if (!found) {
    const cmd = fixture === undefined ? 'nines scenario capacity' : `nines scenario capacity --image ${fixture}`;
    throw new MissingMeasurementError('the worker tier', cmd, `no full-length capacity run in ${join(runs, 'capacity')}${fixture ? ` with image ${fixture}` : ''}`);
  }
  const { capacity: c, settings, startedAt } = found.value;
  const image = settings.images[0]!.fixture;
  return {
    value: { ratePerS: c.sustainedRate, cores: c.cores, fixture: image },
    source: { file: found.path, measuredAt: startedAt, figure: `${c.sustainedRate} resizes/s held within SLA for ${c.windowS} s on ${c.cores} cores (${image})` },
  };
}

/** Jobs/s one broker carries (the lowest ceiling over the job kinds measured), from the newest bench:queue. */
export function brokerCeiling(runs: string): Measured<{ jobsPerS: number; kind: string }> {
  const found = latest(runs, 'bench-queue', 'measurement.json', queueMeasurement, (m) => m.kinds.every((k) => k.ceiling !== null));
  if (!found) throw new MissingMeasurementError('the queue tier', 'npm run bench:queue', `no bench:queue run with a ceiling for every job kind in ${join(runs, 'bench-queue')}`);
  const worst = [...found.value.kinds].sort((a, b) => a.ceiling! - b.ceiling!)[0]!;
  const all = found.value.kinds.map((k) => `${k.kind} ${k.ceiling}/s`).join(', ');
  return {
    value: { jobsPerS: worst.ceiling!, kind: worst.kind },
    source: { file: found.path, measuredAt: found.value.startedAt, machine: found.value.machine, figure: `per-broker ceiling ${worst.ceiling} jobs/s (${worst.kind} jobs; measured ${all})` },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** CPU ms per request of the api and the usage process (median over the rounds), from the newest bench/cpu-split. */
export function cpuPerRequest(runs: string): { api: Measured<number>; usage: Measured<number> } {
  const found = latest(runs, 'bench-cpu-split', 'measurement.json', cpuSplitMeasurement);
  if (!found) throw new MissingMeasurementError('the api and usage tiers', 'node --import tsx bench/cpu-split.ts', `no cpu-split run in ${join(runs, 'bench-cpu-split')}`);
  const m = found.value;
  const api = median(m.cpuMsPerRequest.map((r) => r.api));
  const usage = median(m.cpuMsPerRequest.map((r) => r.usage));
  const src = (what: string, ms: number): Source => ({
    file: found.path,
    measuredAt: m.startedAt,
    machine: m.machine,
    figure: `${what} ${ms.toFixed(2)} ms CPU per request (median of ${m.cpuMsPerRequest.length} rounds, ${m.image})`,
  });
  return { api: { value: api, source: src('api', api) }, usage: { value: usage, source: src('usage', usage) } };
}
