/**
 * `nines load`: open-model load against one URL — requests at a fixed or ramping arrival
 * rate, latency from each request's intended send time, dropped requests counted.
 * Progress goes to stderr once a second; the last stdout line is the run's summary as
 * JSON. Exit codes: 0 the run completed (whatever the target answered: the engine records,
 * it does not judge), 1 the engine failed, 2 usage error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { positive, UsageError, type Command } from './types.ts';
import { parseDurationMs } from '../load/duration.ts';
import { isLoopback, runLoad, type Progress } from '../load/engine.ts';
import type { ArrivalProfile, RampStage } from '../load/profile.ts';
import type { RequestSpec } from '../load/request.ts';
import type { History } from '../load/history.ts';
import { summarize } from '../load/summary.ts';

const help = `nines load — open-model HTTP load: a fixed arrival rate, whatever the target does

Usage:
  nines load --url URL --rate N --duration 30s [options]
  nines load --url URL --stage RATE:DURATION [--stage …] [--start-rate N] [options]

Requests go out at their scheduled instants even when the target is slow (an open model,
like k6's arrival-rate executors and wrk2); latency is measured from each request's
intended send time, so a stalled target shows in the percentiles instead of silently
slowing the sender down. A request that cannot go out on time is counted as dropped.

Options:
  --url URL            target; its path and query are requested
  --rate N             requests per second (constant profile)
  --duration D         how long, e.g. 500ms, 30s, 2m
  --stage RATE:D       ramping profile: move linearly to RATE over D (repeatable, in order)
  --start-rate N       rate the first stage ramps from (default 0)
  --method M           HTTP method (default GET, or POST with --body-file)
  --body-file F        request body, read once and sent with every request
  --header K:V         request header (repeatable)
  --connections N      connections across all threads (default 64)
  --pipelining N       HTTP/1.1 requests in flight per connection (default 1)
  --threads N|auto     worker threads (default auto: one per 10,000 req/s, leaving one core
                       for the target — on a 2-core machine that is always 1)
  --max-in-flight N    requests in flight before new ones are dropped (default 10000)
  --timeout D          per-request deadline from its intended send time (default 10s)
  --grace D            wait at most this long after the end for responses (default 10s)
  --slack D            drop a request when the sender is this far behind (default 250ms)
  --scheduler S        timer (default): ~1 ms send batches, lateness measured and counted;
                       spin: sub-ms precision, but keeps a core busy per thread
  --ok-status LIST     statuses counted as ok, e.g. 200,204 (default: every status < 400)
  --out FILE           write the full run history (per-second buckets, histograms) as JSON
  --json               stdout has only the summary JSON line
  --allow-remote       allow a target that is not this machine's loopback interface
  -h, --help           this help

Only loopback targets (127.0.0.1, localhost, ::1) are allowed unless --allow-remote is
given: this is a load generator, and in this workplace load goes only to systems we run
ourselves on this machine — a mistyped URL must not flood someone else's service.

Output: progress on stderr each second (sent, achieved rate, p99 so far, dropped); the
last stdout line is JSON: { achievedRate, targetRate, requests, dropped, ok, failed,
statusCounts, latencyMs: { p50, p90, p99, p999, max, count }, sendLagMs, … }.

Examples:
  nines load --url http://127.0.0.1:8080/healthz --rate 500 --duration 30s
  nines load --url 'http://127.0.0.1:8080/v1/resize?width=320' --rate 20 --duration 2m \\
      --body-file photo.jpg --header 'content-type:image/jpeg' --header 'authorization:Bearer nines_…'
  nines load --url http://127.0.0.1:8080/ --stage 1000:10s --stage 1000:30s --stage 0:10s --json
  nines load --url http://127.0.0.1:8080/ --rate 10000 --duration 60s --threads 1 --out run.json
`.trimEnd();

const options = {
  url: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  stage: { type: 'string', multiple: true },
  'start-rate': { type: 'string' },
  method: { type: 'string' },
  'body-file': { type: 'string' },
  header: { type: 'string', multiple: true },
  connections: { type: 'string' },
  pipelining: { type: 'string' },
  threads: { type: 'string' },
  'max-in-flight': { type: 'string' },
  timeout: { type: 'string' },
  grace: { type: 'string' },
  slack: { type: 'string' },
  scheduler: { type: 'string' },
  'ok-status': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  'allow-remote': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const out = (s: string): void => void process.stdout.write(`${s}\n`);
const err = (s: string): void => void process.stderr.write(`${s}\n`);

function duration(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDurationMs(text);
  } catch (e) {
    throw new UsageError(`--${name}: ${(e as Error).message}`);
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];

function profileOf(v: Values): ArrivalProfile {
  if (v.stage?.length) {
    if (v.rate !== undefined || v.duration !== undefined) throw new UsageError('use either --rate with --duration, or --stage, not both');
    const stages: RampStage[] = v.stage.map((s) => {
      const m = /^([^:]+):(.+)$/.exec(s);
      if (!m) throw new UsageError(`--stage takes RATE:DURATION, e.g. 1000:30s; got '${s}'`);
      const rate = Number(m[1]);
      if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`--stage rate must be >= 0, got '${m[1]}'`);
      return { rate, durationS: duration('stage', m[2])! / 1000 };
    });
    const startRate = v['start-rate'] === undefined ? 0 : Number(v['start-rate']);
    if (!Number.isFinite(startRate) || startRate < 0) throw new UsageError(`--start-rate must be >= 0, got '${v['start-rate']}'`);
    return { kind: 'ramping', startRate, stages };
  }
  if (v.rate === undefined || v.duration === undefined) throw new UsageError('--rate and --duration are required (or --stage for a ramping profile)');
  return { kind: 'constant', rate: positive('rate', v.rate)!, durationS: duration('duration', v.duration)! / 1000 };
}

function requestOf(v: Values, url: URL): RequestSpec {
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--header takes NAME:VALUE, got '${h}'`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const spec: RequestSpec = { method: (v.method ?? (v['body-file'] ? 'POST' : 'GET')).toUpperCase(), path: `${url.pathname}${url.search}` };
  if (Object.keys(headers).length) spec.headers = headers;
  if (v['body-file']) {
    try {
      spec.body = readFileSync(v['body-file']);
    } catch (e) {
      throw new UsageError(`--body-file: cannot read ${v['body-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return spec;
}

const fmt = (x: number | null, unit: string): string => (x === null ? '–' : `${x.toFixed(x < 10 ? 2 : 1)} ${unit}`);

function progressLine(p: Progress): string {
  return `nines load: ${p.elapsedS.toFixed(0)}s sent ${p.sent} (${p.achievedRate.toFixed(0)}/s) ok ${p.ok} failed ${p.failed} dropped ${p.dropped} in flight ${p.inFlight} p99 ${fmt(p.p99Ms, 'ms')}`;
}

/** The target URL, checked: http(s), and loopback unless --allow-remote. */
function targetOf(v: Values): URL {
  if (!v.url) throw new UsageError('--url is required');
  let url: URL;
  try {
    url = new URL(v.url);
  } catch {
    throw new UsageError(`--url is not a URL: '${v.url}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, got ${url.protocol}`);
  if (!v['allow-remote'] && !isLoopback(v.url)) throw new UsageError(`refusing to send load to ${url.host}: only loopback targets are allowed without --allow-remote (see --help)`);
  return url;
}

/** The engine's options from the command line; UsageError names the first bad option. */
function loadOptionsOf(v: Values): Parameters<typeof runLoad>[0] {
  const url = targetOf(v);
  const threadsText = v.threads ?? 'auto';
  if (v.scheduler !== undefined && v.scheduler !== 'timer' && v.scheduler !== 'spin') throw new UsageError(`--scheduler must be timer or spin, got '${v.scheduler}'`);
  const okStatuses = v['ok-status']?.split(',').map((s) => positive('ok-status', s.trim(), true)!);
  return {
    url: v.url!,
    profile: profileOf(v),
    requests: requestOf(v, url),
    connections: positive('connections', v.connections, true),
    pipelining: positive('pipelining', v.pipelining, true),
    threads: threadsText === 'auto' ? 'auto' : positive('threads', threadsText, true)!,
    maxInFlight: positive('max-in-flight', v['max-in-flight'], true),
    timeoutMs: duration('timeout', v.timeout),
    graceMs: duration('grace', v.grace),
    slackMs: duration('slack', v.slack),
    scheduler: v.scheduler as 'timer' | 'spin' | undefined,
    allowRemote: v['allow-remote'],
    settings: { command: 'nines load' },
    ...(okStatuses ? { okStatuses } : {}),
  };
}

/** The human-readable lines of a finished run (the JSON line follows them). */
function reportLines(history: History, s: ReturnType<typeof summarize>, outFile: string | undefined): string[] {
  const m = history.measurements ?? {};
  const l = s.latencyMs;
  const lines = [
    `target ${s.targetRate}/s for ${s.durationS}s: sent ${s.requests} (${s.achievedRate}/s, ${((100 * s.achievedRate) / s.targetRate).toFixed(2)} % of target), dropped ${s.dropped}`,
    `outcomes: ${Object.entries(s.statusCounts).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `latency from intended send time: p50 ${fmt(l.p50, 'ms')}, p90 ${fmt(l.p90, 'ms')}, p99 ${fmt(l.p99, 'ms')}, p99.9 ${fmt(l.p999, 'ms')}, max ${fmt(l.max, 'ms')}`,
    `send lag (actual − intended): p99 ${fmt(m.sendLagP99Ms ?? null, 'ms')}, max ${fmt(m.sendLagMaxMs ?? null, 'ms')}; engine event loop ${Math.round(100 * (m.engineEluMean ?? 0))} % busy (busiest second ${Math.round(100 * (m.engineEluMaxSecond ?? 0))} %)`,
  ];
  if ((m.engineEluMaxSecond ?? 0) > 0.9) lines.push('warning: the engine itself was near saturation; latencies include its own delay (try --threads, or a warm-up run)');
  if (outFile) lines.push(`history written to ${outFile}`);
  return lines;
}

/** The run's result as one JSON object: the summary, the engine's own figures, and where it went. */
function resultOf(history: History, s: ReturnType<typeof summarize>, url: string): Record<string, unknown> {
  const m = history.measurements ?? {};
  return {
    ...s,
    sendLagMs: { p50: m.sendLagP50Ms, p99: m.sendLagP99Ms, max: m.sendLagMaxMs },
    // Near 1.0 the engine's own event loop was the bottleneck: latencies are suspect.
    engineLoopUtilization: { mean: m.engineEluMean, maxSecond: m.engineEluMaxSecond },
    threads: history.settings.threads,
    connections: history.settings.connections,
    url,
    startedAt: history.startedAt,
    ...(m.stoppedAtMs !== undefined ? { stoppedAtMs: m.stoppedAtMs } : {}),
  };
}

/** Runs the load; Ctrl-C ends the schedule early, the responses in flight are waited for and the summary printed, so an interrupted run is still a measurement. */
async function measure(v: Values, load: Parameters<typeof runLoad>[0]): Promise<number> {
  const ac = new AbortController();
  const exitNow = (): never => process.exit(130);
  const onSigint = (): void => {
    err('nines load: stopping (Ctrl-C again to exit at once)');
    ac.abort();
    process.once('SIGINT', exitNow);
  };
  process.once('SIGINT', onSigint);
  try {
    const history = await runLoad({ ...load, signal: ac.signal, onProgress: (p) => err(progressLine(p)) });
    const s = summarize(history);
    if (v.out) writeFileSync(v.out, `${JSON.stringify(history)}\n`);
    if (!v.json) for (const line of reportLines(history, s, v.out)) out(line);
    out(JSON.stringify(resultOf(history, s, v.url!)));
    return 0;
  } catch (e) {
    err(`nines load: ${(e as Error).message}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGINT', exitNow);
  }
}

async function run(argv: string[]): Promise<number> {
  let v: Values;
  try {
    ({ values: v } = parseArgs({ args: argv, options, allowPositionals: false, strict: true }));
  } catch (e) {
    err(`nines load: ${(e as Error).message}\nrun \`nines load --help\` for usage`);
    return 2;
  }
  if (v.help) {
    out(help);
    return 0;
  }
  let load: Parameters<typeof runLoad>[0];
  try {
    load = loadOptionsOf(v);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`nines load: ${e.message}\nrun \`nines load --help\` for usage`);
    return 2;
  }
  return measure(v, load);
}

export const command: Command = {
  name: 'load',
  summary: 'open-model HTTP load at an arrival rate; latency from intended send time',
  help,
  run,
};
