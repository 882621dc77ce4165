/**
 * `nines plan`: the fleet for a target rate, tier by tier, from the latest measurements in
 * runs/ (harness/plan/), each figure with its source; `--out DIR` writes the deployment's
 * fleet.auto.tfvars.json and the whole plan as plan.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { out, positive, UsageError, type Command } from './types.ts';
import { brokerCeiling, cpuPerRequest, MissingMeasurementError, workerCapacity } from '../plan/sources.ts';
import { planFleet, type PlanInput } from '../plan/fleet.ts';
import { formatPlan, withRelativeSources } from '../plan/format.ts';
import { fleetTfvars } from '../plan/tfvars.ts';

const help = `nines plan — the fleet for a target rate, per tier, from measured figures

Usage:
  nines plan --rate N [--headroom F] [--image-mix FIXTURE=SHARE,…] [--out DIR] [--runs DIR] [--json] [--queue-shards N]

Options:
  --rate N             resizes/s the fleet must carry (required)
  --headroom F         spare capacity on top, 0.2 = 20 % (default 0.2)
  --image-mix M        e.g. a.jpg=0.7,b.png=0.3: size the workers for this mix; each image
                       needs a full capacity run with it (nines scenario capacity --image FIXTURE)
  --worker-cores N     cores per worker instance (default 32, the article's machine)
  --api-cores N        cores per api instance (default 8)
  --consul-failures N  Consul server failures to survive: 1 (3 servers, default) or 2 (5)
  --queue-shards N     size the queue by hand instead of from bench:queue (recorded as given,
                       with a warning; for when the bench cannot run, e.g. on a busy machine)
  --runs DIR           where the measurements are (default ./runs)
  --out DIR            write DIR/fleet.auto.tfvars.json (for terraform/) and DIR/plan.json
  --json               print the plan as JSON

Measurements read (the newest of each; a missing one is an error naming its command):
  workers         runs/capacity/<time>/report.json           nines scenario capacity
  queue shards    runs/bench-queue/<time>/measurement.json    npm run bench:queue
  api and usage   runs/bench-cpu-split/<time>/measurement.json node --import tsx bench/cpu-split.ts

Examples:
  nines plan --rate 10000 --headroom 0.2
  nines plan --rate 10000 --out terraform/environments/example`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string' },
      headroom: { type: 'string', default: '0.2' },
      'image-mix': { type: 'string' },
      'worker-cores': { type: 'string', default: '32' },
      'api-cores': { type: 'string', default: '8' },
      'consul-failures': { type: 'string', default: '1' },
      'queue-shards': { type: 'string' },
      runs: { type: 'string', default: 'runs' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const rate = positive('rate', values.rate);
  if (rate === undefined) throw new UsageError('--rate is required, e.g. --rate 10000');
  const headroom = Number(values.headroom);
  if (!Number.isFinite(headroom) || headroom < 0 || headroom > 10) throw new UsageError(`--headroom takes a fraction such as 0.2, not '${values.headroom}'`);
  const consulFailures = Number(values['consul-failures']);
  if (consulFailures !== 1 && consulFailures !== 2) throw new UsageError('--consul-failures is 1 (3 servers) or 2 (5 servers)');
  return {
    rate,
    headroom,
    mix: values['image-mix'] === undefined ? undefined : imageMix(values['image-mix']),
    workerCores: positive('worker-cores', values['worker-cores'], true)!,
    apiCores: positive('api-cores', values['api-cores'], true)!,
    consulFailures: consulFailures as 1 | 2,
    queueShards: positive('queue-shards', values['queue-shards'], true),
    runs: values.runs!,
    out: values.out === undefined ? undefined : resolve(values.out),
    json: !!values.json,
  };
}

/** `a.jpg=0.7,b.png=0.3` → [{ fixture, share }]. */
function imageMix(text: string): Array<{ fixture: string; share: number }> {
  return text.split(',').map((part) => {
    const [fixture, share] = part.split('=');
    const n = Number(share);
    if (!fixture || !(n > 0)) throw new UsageError(`--image-mix takes FIXTURE=SHARE pairs such as a.jpg=0.7,b.png=0.3, not '${part}'`);
    return { fixture, share: n };
  });
}

export const command: Command = {
  name: 'plan',
  summary: 'the fleet for a target rate, per tier, from measured figures; writes the deployment tfvars',
  help,
  async run(argv) {
    let o: ReturnType<typeof parse>;
    try {
      o = parse(argv);
    } catch (err) {
      console.error(`nines plan: ${(err as Error).message}\n\n${help}`);
      return 2;
    }
    // Every missing measurement is reported at once, each with the command that makes it.
    const missing: MissingMeasurementError[] = [];
    const read = <T>(f: () => T): T | undefined => {
      try {
        return f();
      } catch (err) {
        if (!(err instanceof MissingMeasurementError)) throw err;
        missing.push(err);
        return undefined;
      }
    };
    const cpu = read(() => cpuPerRequest(o.runs));
    const workers = (o.mix ?? [{ fixture: undefined, share: 1 }]).map((m) => ({ share: m.share, capacity: read(() => workerCapacity(o.runs, m.fixture)) }));
    const ceiling = o.queueShards === undefined ? read(() => brokerCeiling(o.runs)) : undefined;
    if (missing.length) {
      for (const m of missing) console.error(`nines plan: ${m.message}`);
      return 1;
    }
    const input: PlanInput = {
      rate: o.rate,
      headroom: o.headroom,
      workers: workers.map((w) => ({ share: w.share, capacity: w.capacity! })),
      queue: o.queueShards === undefined ? { ceiling: ceiling! } : { givenShards: o.queueShards },
      apiCpuMs: cpu!.api,
      usageCpuMs: cpu!.usage,
      workerCores: o.workerCores,
      apiCores: o.apiCores,
      consulFailures: o.consulFailures,
    };
    const plan = withRelativeSources(planFleet(input), process.cwd());
    if (o.json) out(JSON.stringify(plan, null, 2));
    else out(formatPlan(plan));
    if (o.out) {
      mkdirSync(o.out, { recursive: true });
      const tfvars = fleetTfvars(plan, `nines plan ${argv.filter((a, i) => a !== '--out' && argv[i - 1] !== '--out').join(' ')}`, new Date());
      writeFileSync(join(o.out, 'fleet.auto.tfvars.json'), `${JSON.stringify(tfvars, null, 2)}\n`);
      writeFileSync(join(o.out, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
      process.stderr.write(`wrote ${join(o.out, 'fleet.auto.tfvars.json')} and plan.json\n`);
    }
    return 0;
  },
};
