/**
 * k6's JSON output (`k6 run --out json=FILE`) as a nines History, so a run driven by k6
 * is judged by the same checkers and drawn by the same report as one driven by the nines
 * engine. Each line of the output is either a metric declaration or a sample:
 *
 *   {"type":"Point","metric":"http_req_duration","data":{"time":"2024-05-09T14:34:45.239531499+02:00",
 *    "value":12.3,"tags":{"method":"POST","status":"200","size_class":"lt1mb",…}}}
 *
 * What is used, and how it maps:
 *   - http_req_duration: one sample per request (ms). k6 stamps every HTTP sample with the
 *     request's *end* time, so the request is counted in the second it started, end − value
 *     (nines counts by intended send time; this is the nearest k6 offers). Its value goes
 *     into the 'all' histogram and the one of its `size_class` tag, in µs.
 *   - tags.status: `0` means no response; then tags.error_code says why (k6's error codes:
 *     1050 request timeout, 1211 dial timeout, 1212 connection refused, 1220 reset by peer,
 *     1201 broken pipe), classified like harness/load/classify.ts does undici's codes.
 *   - dropped_iterations: one sample per iteration k6 could not start for want of a VU,
 *     stamped when it was due: nines' `dropped`.
 *   - http_reqs: counted only as a cross-check (settings.k6.httpReqs); it duplicates
 *     http_req_duration one for one.
 */
import type { FailedRequest, FaultWindow, History, SecondBucket } from '../load/history.ts';
import { encode, newHistogram, recordUs, type Histogram } from '../load/histogram.ts';
import { okStatusPredicate, type FailureKind } from '../load/classify.ts';

export interface K6HistoryMeta {
  scenario: string;
  seed: number;
  /** ISO time of second 0; default: the earliest sample in the output (k6 samples `vus` as the test starts). */
  startedAt?: string;
  /** Seconds in the history (the profile's length); default: up to the last second with a sample. */
  durationS?: number;
  /** Statuses counted as ok (default: every status below 400, as the nines engine does). */
  okStatuses?: number[];
  /** Failed requests kept individually (default 10,000, as the nines engine does). */
  failuresLimit?: number;
  settings?: Record<string, unknown>;
  faults?: FaultWindow[];
}

interface Sample {
  metric: string;
  timeMs: number;
  value: number;
  tags: Record<string, string>;
}

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/;

/** An RFC 3339 time with nanoseconds (as k6 writes it) in epoch ms, keeping the sub-ms part. */
export function parseK6Time(s: string): number {
  const m = TIME.exec(s);
  if (!m) {
    const t = Date.parse(s);
    if (Number.isNaN(t)) throw new RangeError(`not a k6 timestamp: ${JSON.stringify(s)}`);
    return t;
  }
  return Date.parse(`${m[1]}${m[3]}`) + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

function sampleOf(line: string): Sample | null | 'malformed' {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return 'malformed';
  }
  const p = o as { type?: unknown; metric?: unknown; data?: { time?: unknown; value?: unknown; tags?: unknown } };
  if (p?.type !== 'Point') return null;
  if (typeof p.metric !== 'string' || typeof p.data?.time !== 'string' || typeof p.data.value !== 'number') return 'malformed';
  let timeMs: number;
  try {
    timeMs = parseK6Time(p.data.time);
  } catch {
    return 'malformed';
  }
  const tags = p.data.tags && typeof p.data.tags === 'object' ? (p.data.tags as Record<string, string>) : {};
  return { metric: p.metric, timeMs, value: p.data.value, tags };
}

/** The failure kind of a request k6 got no response for, from its `error_code` tag. */
export function k6ErrorKind(errorCode: string | undefined): Exclude<FailureKind, `http_${number}`> {
  switch (Number(errorCode)) {
    case 1050:
    case 1211:
      return 'timeout';
    case 1212:
      return 'econnrefused';
    case 1201:
    case 1220:
      return 'econnreset';
    default:
      return 'other';
  }
}

interface Request {
  startMs: number;
  latencyMs: number;
  status: number;
  errorCode: string | undefined;
  sizeClass: string | undefined;
}

/**
 * Accumulates k6 JSON lines, then builds the History. Lines may come in any order (k6
 * flushes samples in batches); requests are kept compactly until `finish`, because the
 * start of second 0 is known only once every sample has been seen.
 */
export class K6HistoryBuilder {
  readonly #requests: Request[] = [];
  readonly #dropped: number[] = [];
  #earliestMs = Infinity;
  #httpReqs = 0;
  #malformed = 0;

  /** One line of `--out json` output; blank lines, metric declarations and unused metrics are skipped. */
  add(line: string): void {
    if (!line.trim()) return;
    const s = sampleOf(line);
    if (s === null) return;
    if (s === 'malformed') {
      this.#malformed++;
      return;
    }
    if (s.timeMs < this.#earliestMs) this.#earliestMs = s.timeMs;
    if (s.metric === 'http_req_duration') {
      const startMs = s.timeMs - s.value;
      if (startMs < this.#earliestMs) this.#earliestMs = startMs;
      this.#requests.push({ startMs, latencyMs: s.value, status: Number(s.tags.status ?? 0) || 0, errorCode: s.tags.error_code, sizeClass: s.tags.size_class });
    } else if (s.metric === 'dropped_iterations') {
      for (let i = 0; i < s.value; i++) this.#dropped.push(s.timeMs);
    } else if (s.metric === 'http_reqs') {
      this.#httpReqs += s.value;
    }
  }

  /** The History of everything added so far. */
  finish(meta: K6HistoryMeta): History {
    const startMs = meta.startedAt !== undefined ? Date.parse(meta.startedAt) : Number.isFinite(this.#earliestMs) ? this.#earliestMs : 0;
    if (Number.isNaN(startMs)) throw new RangeError(`startedAt is not an ISO time: ${meta.startedAt}`);
    const rel = (ms: number): number => Math.max(0, ms - startMs);
    let n = meta.durationS !== undefined ? Math.max(1, Math.ceil(meta.durationS)) : 0;
    if (meta.durationS === undefined) {
      for (const r of this.#requests) n = Math.max(n, Math.floor(rel(r.startMs) / 1000) + 1);
      for (const d of this.#dropped) n = Math.max(n, Math.floor(rel(d) / 1000) + 1);
    }
    // As the nines engine does, anything past the profile's end lands in its last second.
    const second = (ms: number): number => Math.min(Math.floor(rel(ms) / 1000), n - 1);

    const buckets: Array<SecondBucket & { hist: Map<string, Histogram> }> = [];
    for (let t = 0; t < n; t++) buckets.push({ t, sent: 0, ok: 0, failed: {}, dropped: 0, latency: {}, hist: new Map() });
    const isOk = okStatusPredicate(meta.okStatuses);
    const failures: FailedRequest[] = [];
    const at = (ms: number): number => Math.round(rel(ms) * 1000) / 1000;

    for (const r of this.#requests) {
      const b = buckets[second(r.startMs)]!;
      b.sent++;
      const us = r.latencyMs * 1000;
      for (const cls of r.sizeClass && r.sizeClass !== 'all' ? ['all', r.sizeClass] : ['all']) {
        let h = b.hist.get(cls);
        if (!h) b.hist.set(cls, (h = newHistogram()));
        recordUs(h, us);
      }
      if (r.status > 0 && isOk(r.status)) {
        b.ok++;
        continue;
      }
      const kind = r.status > 0 ? `http_${r.status}` : k6ErrorKind(r.errorCode);
      b.failed[kind] = (b.failed[kind] ?? 0) + 1;
      const f: FailedRequest = { at: at(r.startMs), outcome: r.status > 0 || kind === 'econnrefused' ? 'fail' : 'info', kind, latencyMs: Math.round(us) / 1000 };
      if (r.status > 0) f.status = r.status;
      failures.push(f);
    }
    for (const d of this.#dropped) {
      buckets[second(d)]!.dropped++;
      failures.push({ at: at(d), outcome: 'dropped', kind: 'dropped' });
    }

    let empty: string | undefined;
    const seconds: SecondBucket[] = buckets.map(({ hist, ...b }) => {
      // 'all' first, as the nines engine writes it; a second without responses gets an empty histogram.
      const latency: Record<string, string> = { all: '' };
      for (const [cls, h] of hist) {
        latency[cls] = encode(h);
        h.destroy();
      }
      if (!latency.all) latency.all = empty ??= encodeEmpty();
      return { ...b, latency };
    });
    failures.sort((a, b) => a.at - b.at);
    const limit = meta.failuresLimit ?? 10_000;
    const history: History = {
      scenario: meta.scenario,
      seed: meta.seed,
      startedAt: new Date(startMs).toISOString(),
      settings: {
        engine: 'k6',
        latencyFrom: 'k6 http_req_duration: request sent to last response byte (not from the intended send time)',
        ...meta.settings,
        k6: { httpReqDuration: this.#requests.length, httpReqs: this.#httpReqs, droppedIterations: this.#dropped.length, malformedLines: this.#malformed },
      },
      seconds,
      failures: failures.slice(0, limit),
      faults: meta.faults ?? [],
      measurements: { failuresOmitted: Math.max(0, failures.length - limit) },
    };
    return history;
  }
}

function encodeEmpty(): string {
  const h = newHistogram();
  const s = encode(h);
  h.destroy();
  return s;
}

/**
 * Pure conversion of k6 `--out json` lines into a History: per-second buckets by request
 * start, µs HDR histograms per size class, failures by `http_<status>` or transport kind,
 * dropped iterations as dropped.
 */
export function k6PointsToHistory(lines: Iterable<string>, meta: K6HistoryMeta): History {
  const b = new K6HistoryBuilder();
  for (const line of lines) b.add(line);
  return b.finish(meta);
}
