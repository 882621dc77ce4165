/**
 * Debian's Prometheus as a process of the stack, running the deployment's own files: the
 * run folder gets a copy of dashboards/prometheus/prometheus.yml and rules/, and the only
 * things written per run are what a deployment's inventory would write — one file_sd file
 * per job (targets/<job>.json) naming each process's address and instance — and, when
 * asked, a longer scrape interval than the file's 1 s (`nines start`, which runs for hours
 * and should cost next to nothing idle). Its TSDB lives in the run folder too, so a run's
 * metrics stay with its report.
 */
import { cpSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryProcess } from './binary.ts';
import { freePort } from './ports.ts';
import { repoRoot } from './process.ts';
import { tool } from './tools.ts';

/** The scrape jobs of dashboards/prometheus/prometheus.yml. */
export const scrapeJobs = ['nines-api', 'nines-broker', 'nines-worker', 'nines-usage', 'nines-identity', 'haproxy', 'consul', 'toxiproxy', 'prometheus'] as const;
export type ScrapeJob = (typeof scrapeJobs)[number];

export interface ScrapeTarget {
  job: ScrapeJob;
  /** The `instance` label: the process's name in the stack, e.g. 'api-1', 'broker-b2'. */
  instance: string;
  /** host:port of its metrics endpoint. */
  address: string;
}

export interface PrometheusServer {
  url: string;
  process: BinaryProcess;
  /** Rewrites the file_sd files (Prometheus watches them): e.g. after a worker is added. */
  setTargets(targets: ScrapeTarget[]): void;
  stop(): Promise<void>;
}

const source = join(repoRoot, 'dashboards', 'prometheus');

/**
 * The configuration file with its global scrape and evaluation intervals set to `seconds`
 * (the scrape timeout at most 10 s); unchanged without it.
 */
export function prometheusConfig(seconds?: number): string {
  const text = readFileSync(join(source, 'prometheus.yml'), 'utf8');
  if (seconds === undefined) return text;
  if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`scrape interval must be a whole number of seconds >= 1, got ${seconds}`);
  const set = (t: string, key: string, value: string) => {
    const re = new RegExp(`^(  ${key}:) \\S+$`, 'm');
    if (!re.test(t)) throw new Error(`dashboards/prometheus/prometheus.yml has no global ${key}`);
    return t.replace(re, `$1 ${value}`);
  };
  return set(set(set(text, 'scrape_interval', `${seconds}s`), 'scrape_timeout', `${Math.min(seconds, 10)}s`), 'evaluation_interval', `${seconds}s`);
}

export interface PrometheusOptions {
  /** Its port (0, the default: a free one). */
  port?: number;
  /** Scrape and rule interval in seconds (default: the file's). */
  scrapeIntervalS?: number;
  /**
   * Whether it scrapes its own metrics (default true, as the file's `prometheus` job does in
   * a deployment). `nines start` turns it off: nothing it shows reads them, and at a 15 s
   * interval the self-scrape was ~0.4 ms of CPU a second, a tenth of an idle stack.
   */
  scrapeItself?: boolean;
}

/** Starts Prometheus in `dir` scraping `targets`; resolves once it serves. */
export async function startPrometheus(dir: string, logs: string, targets: ScrapeTarget[], o: PrometheusOptions = {}): Promise<PrometheusServer> {
  mkdirSync(join(dir, 'targets'), { recursive: true });
  writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig(o.scrapeIntervalS));
  cpSync(join(source, 'rules'), join(dir, 'rules'), { recursive: true });
  const port = o.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const self: ScrapeTarget = { job: 'prometheus', instance: 'prometheus', address: `127.0.0.1:${port}` };
  const setTargets = (ts: ScrapeTarget[]) => writeTargets(join(dir, 'targets'), o.scrapeItself === false ? ts : [...ts, self]);
  setTargets(targets);
  const server = new BinaryProcess({
    name: 'prometheus',
    command: tool('prometheus'),
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    // One Go scheduler thread: scraping a stack's handful of targets needs no more, and with
    // one per core its idle scheduler keeps waking both to look for work. Measured idle (the
    // file's 15 s intervals, 60 s of /proc): 0.83 ms of CPU per second with 2, 0.17 with 1.
    env: { ...process.env, GOMAXPROCS: '1' },
    logFile: join(logs, 'prometheus.log'),
    ready: async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(500) })).ok,
  });
  await server.start();
  return { url, process: server, setTargets, stop: () => server.stop() };
}

/** One file per job, every job written (an empty list where the topology has none), each written whole. */
function writeTargets(dir: string, targets: ScrapeTarget[]): void {
  for (const job of scrapeJobs) {
    const groups = targets.filter((t) => t.job === job).map((t) => ({ targets: [t.address], labels: { instance: t.instance } }));
    const file = join(dir, `${job}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(groups, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
  }
}
