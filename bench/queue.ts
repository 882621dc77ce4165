/**
 * `npm run bench:queue`: the broker alone — how much CPU the real broker process spends per
 * job and how many jobs/s one broker carries, against plain aedes carrying the same MQTT
 * traffic in the same minute.
 *
 * The real broker (system/broker/main.ts) runs pinned to CPU 0; this process, pinned to
 * CPU 1, runs 2 simulated api servers (the real JobClient and MqttBus) and 4 simulated
 * workers that answer every job at once (bench/queue/sim-*.ts). For each offered rate
 * (open model: jobs are submitted on schedule whatever the broker does) it reports jobs
 * completed, the broker's CPU per job (/proc/<pid>/stat), the dispatch latency from each
 * job's intended submit time to a worker having it, and then, right after, replays the
 * same MQTT traffic (messages per direction, their average sizes, the same seconds) through
 * plain aedes (bench/queue/raw-aedes.ts, also on CPU 0): the ratio of the two CPU figures is
 * the queue's own cost over plain MQTT. One raw aedes process serves the whole run, warmed
 * with the queue: a fresh one per rate would be measured while V8 still compiles it.
 *
 * Run `node --import tsx bench/queue.ts --help` for the options.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { launcher } from '../harness/stack/launcher.ts';
import type { ManagedProcess } from '../harness/stack/process.ts';
import { pinToCpus } from './proc.ts';
import { appendResults, resultsHeading } from './results.ts';
import { writeMeasurement } from './measurement.ts';
import { BENCH_CPU, BROKER_CPU, measured } from './queue/measure.ts';
import { QueueRig } from './queue/queue-rig.ts';
import { RawLoad } from './queue/raw-load.ts';
import { jobKinds, type JobKind } from './queue/sim-api.ts';
import { contended, rampDone, rowOf, summarize, type RateRow } from './queue/verdict.ts';
import { rateHeader, rateLine, resultsSection, summaryLines, trafficHeader, trafficLine, type KindResult } from './queue/report.ts';

const help = `bench/queue.ts — CPU per job and jobs/s of the real broker alone, against plain aedes.

  node --import tsx bench/queue.ts [--json] [--help]      (npm run bench:queue)

  --json    print the results as JSON on stdout (the tables go to stderr; 'npm run -s' keeps
            npm's banner out of it)
  --help    this text

Environment (defaults in brackets):
  BENCH_RATES        offered rates in jobs/s, comma-separated [500,1000,2000,3000,4000,6000,8000,10000,12000,16000,20000]
  BENCH_SECONDS      seconds per rate [5]
  BENCH_WARMUP       seconds of warm-up per job kind, unmeasured [10]
  BENCH_WARMUP_RATE  jobs/s during the warm-up [2000]
  BENCH_KINDS        job kinds: small (image inline), claim (claim check) [small,claim]
  BENCH_WORKERS      simulated workers [4]
  BENCH_CREDIT       credit (jobs in flight) each worker grants [64]: a fleet at 10,000 jobs/s and
                     ~20 ms a resize holds 200+ jobs at once; 4 × 64 stands in for it
  BENCH_LOG_LEVEL    the broker's log level [info, as deployed; warn shows what its per-dispatch log line costs]
  BENCH_NODE_ARGS    extra node flags for the broker and raw aedes, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'
  BENCH_KEEP_DIR     keep the processes' logs in this directory
  BENCH_NO_APPEND=1  do not append to bench/RESULTS.md

The ramp stops early once a rate fails by a wide margin, or two rates in a row fail. A rate that
fails while other processes took over 25 % of the broker's or the bench's CPU is measured once more.
Needs 2 CPUs and taskset (util-linux).`;

interface Options {
  rates: number[];
  seconds: number;
  warmupS: number;
  warmupRate: number;
  kinds: JobKind[];
  workers: number;
  credit: number;
  logLevel: string;
  nodeArgs: string[];
  keepDir: string | undefined;
  json: boolean;
}

/** The options from the environment and argv; every bad one is listed at once. */
function options(): Options {
  const problems: string[] = [];
  const list = (name: string, d: string) => (process.env[name] ?? d).split(',').map((s) => s.trim()).filter(Boolean);
  const positive = (name: string, v: string) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) problems.push(`${name}: ${v} is not a positive number`);
    return n;
  };
  const num = (name: string, d: number) => positive(name, process.env[name] ?? String(d));
  const kinds = list('BENCH_KINDS', 'small,claim');
  for (const k of kinds) if (!(jobKinds as readonly string[]).includes(k)) problems.push(`BENCH_KINDS: ${k} is not one of ${jobKinds.join(', ')}`);
  const o: Options = {
    rates: list('BENCH_RATES', '500,1000,2000,3000,4000,6000,8000,10000,12000,16000,20000').map((r) => positive('BENCH_RATES', r)),
    seconds: num('BENCH_SECONDS', 5),
    warmupS: num('BENCH_WARMUP', 10),
    warmupRate: num('BENCH_WARMUP_RATE', 2000),
    kinds: kinds as JobKind[],
    workers: Math.round(num('BENCH_WORKERS', 4)),
    credit: Math.round(num('BENCH_CREDIT', 64)),
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    keepDir: process.env.BENCH_KEEP_DIR,
    json: process.argv.includes('--json'),
  };
  if (problems.length) throw new Error(`bench/queue.ts: bad options:\n  - ${problems.join('\n  - ')}\n\n${help}`);
  return o;
}

const API_SERVERS = 2;
const say = (s: string) => process.stderr.write(`${s}\n`);

interface Rig {
  broker: ManagedProcess;
  rawBroker: ManagedProcess;
  queue: QueueRig;
  raw: RawLoad;
}

/** One offered rate: the queue phase on the real broker, then the same traffic on raw aedes. */
async function step(rig: Rig, kind: JobKind, rate: number, seconds: number): Promise<RateRow> {
  const q = await measured(rig.broker.pid!, () => rig.queue.run(kind, rate, seconds));
  const raw = await measured(rig.rawBroker.pid!, () => rig.raw.run(q.result.traffic, seconds));
  return rowOf(rate, seconds, q, raw);
}

/**
 * One rate's row, measured once more if it failed while other processes took the CPU; the
 * first measurement is kept too (marked superseded), so the table shows every one.
 */
async function rateRows(rig: Rig, kind: JobKind, rate: number, o: Options): Promise<RateRow[]> {
  say(`${kind} jobs: ${rate}/s for ${o.seconds} s, then raw aedes`);
  const first = await step(rig, kind, rate, o.seconds);
  if (!contended(first)) return [first];
  say(`${kind} jobs: ${rate}/s failed while other processes took ${(Math.max(first.othersOnBrokerCpu, first.othersOnBenchCpu) * 100).toFixed(0)} % of a CPU; once more`);
  return [{ ...first, superseded: true }, await step(rig, kind, rate, o.seconds)];
}

async function ramp(rig: Rig, kind: JobKind, o: Options, print: (s: string) => void): Promise<KindResult> {
  say(`${kind} jobs: warm-up, ${o.warmupS} s at ${o.warmupRate}/s (queue, then raw aedes)`);
  await step(rig, kind, o.warmupRate, o.warmupS);
  print(`\n**${kind} jobs**\n\n${rateHeader}`);
  const rows: RateRow[] = [];
  for (const rate of o.rates) {
    const measured = await rateRows(rig, kind, rate, o);
    rows.push(...measured);
    measured.forEach((r) => print(rateLine(r)));
    if (rampDone(rows)) {
      say(`${kind} jobs: ${rate}/s failed the bar; stopping the ramp`);
      break;
    }
  }
  const summary = summarize(rows);
  print(['', trafficHeader, ...rows.map(trafficLine), '', ...summaryLines(kind, summary)].join('\n'));
  return { kind, rows, summary };
}

/** Starts the real broker and raw aedes (pinned to the broker CPU) and connects their clients. */
async function startRig(dir: string, o: Options): Promise<Rig> {
  // The broker runs at the default log level, `info`, with stdout to a log file, as the
  // harness deploys it. It logs one `info` line per dispatch (the fencing checker reads them,
  // system/broker/app.ts), so that line is part of its cost per job: measured at `warn` the
  // broker would look cheaper than it runs. BENCH_LOG_LEVEL=warn is only for seeing how much.
  const l = launcher(dir, { nodeArgs: o.nodeArgs, logLevel: o.logLevel });
  const { mqtt } = l.secrets;
  const started: ManagedProcess[] = [];
  try {
    const broker = await l.launch('broker', 'system/broker/main.ts', { NINES_BROKER_PORT: '0', NINES_MQTT_SECRET_API: mqtt.api, NINES_MQTT_SECRET_WORKER: mqtt.worker, NINES_MQTT_SECRET_USAGE: mqtt.usage });
    started.push(broker);
    const rawBroker = await l.launch('raw-aedes', 'bench/queue/raw-aedes.ts', {});
    started.push(rawBroker);
    for (const p of started) pinToCpus(p.pid!, String(BROKER_CPU));
    const log = pino({ level: 'warn', base: { service: 'bench-queue' } }, pino.destination(2));
    const brokerUrl = `mqtt://127.0.0.1:${broker.info.mqttPort}`;
    const queue = await QueueRig.start({ brokerUrl, brokerHttpUrl: `http://127.0.0.1:${broker.info.httpPort}`, secrets: mqtt, apis: API_SERVERS, workers: o.workers, credit: o.credit, log });
    const raw = await RawLoad.start({ url: `mqtt://127.0.0.1:${rawBroker.info.mqttPort}`, apis: API_SERVERS, workers: o.workers, log }).catch(async (err) => {
      await queue.close();
      throw err;
    });
    return { broker, rawBroker, queue, raw };
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    throw err;
  }
}

async function stopRig(rig: Rig): Promise<void> {
  await Promise.all([rig.queue.close(), rig.raw.close()]);
  // SIGTERM, not SIGKILL: a --cpu-prof profile is written at a clean exit.
  await Promise.all([rig.broker.stop(), rig.rawBroker.stop()]);
}

function describe(o: Options): string {
  return (
    `\`npm run bench:queue\`: the real broker (system/broker/main.ts, log level ${o.logLevel} to a file${o.logLevel === 'info' ? ', as deployed' : ', NOT as deployed'}) pinned to CPU ${BROKER_CPU}; ` +
    `${API_SERVERS} simulated api servers (the real JobClient) and ${o.workers} simulated workers with credit ${o.credit} answering at once, all in the bench process pinned to CPU ${BENCH_CPU}. ` +
    `Open model, ${o.seconds} s per rate after ${o.warmupS} s at ${o.warmupRate}/s; dispatch latency from each job's intended submit time to a worker having it. ` +
    `Baseline: plain aedes on CPU ${BROKER_CPU} carrying the same messages per direction, of the same average sizes, right after each rate. ` +
    `Small jobs carry a 600-byte image inline; claim-checked jobs carry a claim and are acked by the api.`
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return void console.log(help);
  const o = options();
  const print = (s: string) => (o.json ? say(s) : console.log(s));
  pinToCpus(process.pid, String(BENCH_CPU));
  const started = new Date();
  const dir = o.keepDir ?? mkdtempSync(join(tmpdir(), 'nines-bench-queue-'));
  say(`bench:queue: broker on CPU ${BROKER_CPU}, sims on CPU ${BENCH_CPU}; logs in ${join(dir, 'logs')}`);
  const results: KindResult[] = [];
  try {
    const rig = await startRig(dir, o);
    try {
      for (const kind of o.kinds) results.push(await ramp(rig, kind, o, print));
    } finally {
      await stopRig(rig);
    }
  } finally {
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  }
  if (appendResults(resultsSection({ heading: resultsHeading(started, 'broker alone (bench:queue)'), setup: describe(o) }, results))) say('appended to bench/RESULTS.md');
  // The per-broker ceiling of each job kind, for `nines plan` (harness/plan/sources.ts).
  const file = writeMeasurement('queue', started, { kinds: results.map((k) => ({ kind: k.kind, ...k.summary })) });
  say(`wrote ${file}`);
  if (o.json) console.log(JSON.stringify({ started: started.toISOString(), options: o, results }, null, 2));
}

await main();
