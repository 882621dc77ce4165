/**
 * `nines plan` from measurement files laid out as the capacity scenario and the benches write
 * them: each tier's figure and its source, the image-mix arithmetic, the tfvars the
 * deployment reads, and the error that names the command making a missing measurement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../harness/stack/process.ts';
import { brokerCeiling, cpuPerRequest, workerCapacity } from '../../../harness/plan/sources.ts';
import { planFleet } from '../../../harness/plan/fleet.ts';
import { fleetTfvars } from '../../../harness/plan/tfvars.ts';
import { loadScenario } from '../../../harness/scenario/catalog.ts';
import { withImage } from '../../../harness/scenario/override.ts';

const PHOTO = '2569067123_aca715a2ee_o.jpg';

function put(runs: string, name: string, stamp: string, file: string, body: unknown): void {
  mkdirSync(join(runs, name, stamp), { recursive: true });
  writeFileSync(join(runs, name, stamp, file), JSON.stringify(body));
}

const capacityReport = (rate: number, fixture: string, quick = false) => ({
  startedAt: '2026-12-03T12:00:00.000Z',
  settings: { quick, images: [{ fixture }] },
  capacity: { sustainedRate: rate, cores: 2, windowS: 5, perCore: rate / 2 },
});

/** A runs/ folder with one of each measurement (older and quick ones too, which must lose). */
function runsDir(t: { after(fn: () => void): void }): string {
  const runs = mkdtempSync(join(tmpdir(), 'nines-plan-'));
  t.after(() => rmSync(runs, { recursive: true, force: true }));
  put(runs, 'capacity', '20261203-110000', 'report.json', capacityReport(40, PHOTO));
  put(runs, 'capacity', '20261203-120000', 'report.json', capacityReport(52, PHOTO));
  put(runs, 'capacity', '20261203-130000', 'report.json', capacityReport(80, PHOTO, true)); // quick: not a measurement
  put(runs, 'capacity', '20261203-120500', 'report.json', capacityReport(100, 'small.png'));
  put(runs, 'bench-queue', '20261203-120000', 'measurement.json', {
    format: 'nines.measurement/1',
    bench: 'queue',
    startedAt: '2026-12-03T12:00:00.000Z',
    machine: 'test machine',
    kinds: [
      { kind: 'small', ceiling: 16000, brokerUsPerJobAtCeiling: 19 },
      { kind: 'claim', ceiling: 8000, brokerUsPerJobAtCeiling: 30 },
    ],
  });
  put(runs, 'bench-cpu-split', '20261203-120000', 'measurement.json', {
    format: 'nines.measurement/1',
    bench: 'cpu-split',
    startedAt: '2026-12-03T12:00:00.000Z',
    machine: 'test machine',
    image: PHOTO,
    cpuMsPerRequest: [
      { api: 3.0, usage: 0.04, worker: 25, broker: 1, identity: 0.05 },
      { api: 3.4, usage: 0.06, worker: 25, broker: 1, identity: 0.05 },
      { api: 3.2, usage: 0.05, worker: 25, broker: 1, identity: 0.05 },
    ],
  });
  return runs;
}

test('the plan sizes every tier from the newest full measurement and names it', (t) => {
  const runs = runsDir(t);
  const cpu = cpuPerRequest(runs);
  const worker = workerCapacity(runs);
  assert.equal(worker.value.ratePerS, 100, 'the newest full run, whatever its image, when no mix is asked for');
  const photo = workerCapacity(runs, PHOTO);
  assert.equal(photo.value.ratePerS, 52, 'the newest full run with that image; the quick one is not a measurement');
  assert.match(photo.source.file, /capacity\/20261203-120000\/report\.json$/);

  const plan = planFleet({ rate: 10_000, headroom: 0.2, workers: [{ share: 1, capacity: photo }], queue: { ceiling: brokerCeiling(runs) }, apiCpuMs: cpu.api, usageCpuMs: cpu.usage, workerCores: 32, apiCores: 8, consulFailures: 1 });
  const tier = (n: string) => plan.tiers.find((x) => x.tier === n)!;
  assert.equal(plan.sized, 12_000);
  assert.equal(tier('worker').instances, Math.ceil(12_000 / (26 * 32))); // 26 resizes/s per core
  assert.equal(tier('api').instances, Math.ceil((12_000 * 3.2) / 1000 / 0.7 / 8)); // median 3.2 ms, 70 % busy
  assert.equal(tier('queue').instances, 2 * Math.ceil(12_000 / 8000), 'the lowest ceiling of the job kinds sizes the shards');
  assert.equal(tier('consul').instances, 3);
  assert.equal(tier('usage').warning, undefined, '12,000 records/s at 0.05 ms is 60 % of one core');
  for (const x of plan.tiers) assert.ok(x.sources.length > 0 && x.article.length > 0, `${x.tier} has a source and the article's estimate`);

  const tfvars = fleetTfvars(plan, 'nines plan --rate 10000', new Date('2026-12-03T12:00:00Z'));
  assert.deepEqual(tfvars.fleet.worker, { instances: tier('worker').instances, cores: 32 });
  assert.equal(tfvars.fleet.queue_shards, 2);
  assert.equal(tfvars.fleet.consul_servers, 3);
});

test('a mix of images sizes the workers by the weighted harmonic mean of their rates', (t) => {
  const runs = runsDir(t);
  const cpu = cpuPerRequest(runs);
  const workers = [
    { share: 0.5, capacity: workerCapacity(runs, PHOTO) }, // 26/s per core
    { share: 0.5, capacity: workerCapacity(runs, 'small.png') }, // 50/s per core
  ];
  const plan = planFleet({ rate: 10_000, headroom: 0, workers, queue: { ceiling: brokerCeiling(runs) }, apiCpuMs: cpu.api, usageCpuMs: cpu.usage, workerCores: 32, apiCores: 8, consulFailures: 2 });
  const perCore = 1 / (0.5 / 26 + 0.5 / 50);
  assert.equal(plan.tiers[0]!.instances, Math.ceil(10_000 / (perCore * 32)));
  assert.equal(plan.tiers.find((x) => x.tier === 'consul')!.instances, 5);
});

test('a usage process that cannot keep up is a warning in the plan', (t) => {
  const runs = runsDir(t);
  const cpu = cpuPerRequest(runs);
  const plan = planFleet({ rate: 10_000, headroom: 0.2, workers: [{ share: 1, capacity: workerCapacity(runs) }], queue: { ceiling: brokerCeiling(runs) }, apiCpuMs: cpu.api, usageCpuMs: { ...cpu.usage, value: 0.5 }, workerCores: 32, apiCores: 8, consulFailures: 1 });
  assert.match(plan.tiers.find((x) => x.tier === 'usage')!.warning ?? '', /2,000 records\/s, 6 × too few/);
});

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness', 'cli.ts'), 'plan', ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 60_000 });

test('nines plan prints each tier with its source and writes fleet.auto.tfvars.json', (t) => {
  const runs = runsDir(t);
  const out = join(runs, 'out');
  const r = cli(['--rate', '10000', '--headroom', '0.2', '--runs', runs, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^worker\s+\d+ × 32-core/m);
  assert.match(r.stdout, /from: per-broker ceiling 8000 jobs\/s \(claim jobs; measured small 16000\/s, claim 8000\/s\)/);
  assert.match(r.stdout, /article: 40 × 32-core machines/);
  const tfvars = JSON.parse(readFileSync(join(out, 'fleet.auto.tfvars.json'), 'utf8')) as { fleet: { queue_shards: number }; plan: { command: string } };
  assert.equal(tfvars.fleet.queue_shards, 2);
  assert.equal(tfvars.plan.command, `nines plan --rate 10000 --headroom 0.2 --runs ${runs}`);
});

test('a missing measurement is an error naming the command that makes it', (t) => {
  const runs = runsDir(t);
  rmSync(join(runs, 'bench-queue'), { recursive: true });
  rmSync(join(runs, 'bench-cpu-split'), { recursive: true });
  const r = cli(['--rate', '10000', '--runs', runs, '--out', join(runs, 'out')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no measurement for the api and usage tiers .*make one with: node --import tsx bench\/cpu-split\.ts/);
  assert.match(r.stderr, /no measurement for the queue tier .*make one with: npm run bench:queue/);
  assert.equal(existsSync(join(runs, 'out')), false, 'nothing written');
  const mix = cli(['--rate', '10000', '--runs', runsDir(t), '--image-mix', `${PHOTO}=0.5,other.webp=0.5`]);
  assert.equal(mix.status, 1);
  assert.match(mix.stderr, /make one with: nines scenario capacity --image other\.webp/);
});

test('nines scenario --image gives every request one fixture (a capacity run per image of a mix)', async () => {
  const sc = withImage(await loadScenario('capacity'), 'small.png');
  assert.deepEqual(sc.load.images, [{ fixture: 'small.png' }]);
  assert.throws(() => withImage(sc, '../etc/passwd'), /a file name in the fixtures folder/);
});

test('--queue-shards sizes the queue by hand, recorded as given and warned about', (t) => {
  const runs = runsDir(t);
  rmSync(join(runs, 'bench-queue'), { recursive: true });
  const r = cli(['--rate', '10000', '--runs', runs, '--queue-shards', '2', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { tiers: Array<{ tier: string; instances: number; warning?: string; sources: Array<{ measuredAt: string; figure: string }> }> };
  const queue = plan.tiers.find((x) => x.tier === 'queue')!;
  assert.equal(queue.instances, 4);
  assert.deepEqual(queue.sources.map((s) => [s.measuredAt, s.figure]), [['given', '--queue-shards 2']]);
  assert.match(queue.warning ?? '', /sized by hand/);
});
