/**
 * The fleet for a target rate, per tier, from measurements (sources.ts): pure arithmetic,
 * each figure carrying the measurements it came from and the article's own estimate beside
 * it, so the difference can be read and explained.
 *
 * The article sized by notepad: 40 workers of 32 cores, 3 api servers, one queue. Here each
 * tier is sized from what this code measured on this project's machines:
 * - workers: resizes/s per core of the capacity scenario (the whole stack on one machine, so
 *   the per-core figure also pays for the api, broker and load generator there: conservative);
 * - api: CPU ms per request of the api process (bench/cpu-split) → cores at the target rate,
 *   run at most 70 % busy (API_UTILISATION); never fewer than 3 instances, one per zone;
 * - queue: the per-broker ceiling of bench:queue → shards, two brokers (active, standby) each;
 * - usage: CPU ms per request of the usage process (one record per request) → whether one
 *   usage process (one SQLite writer, one core of Node) keeps up;
 * - identity: one instance (api servers serve keys from their replica; it is off the request path);
 * - Consul: 2f + 1 servers for f failures survived.
 */
import type { Measured, Source } from './sources.ts';

export interface PlanInput {
  /** Resizes/s the fleet must carry. */
  rate: number;
  /** Spare capacity on top, e.g. 0.2 for 20 %. */
  headroom: number;
  /** Per image of the mix: its share and one machine's measured capacity with it. */
  workers: Array<{ share: number; capacity: Measured<{ ratePerS: number; cores: number; fixture: string }> }>;
  /** The per-broker ceiling bench:queue measured, or shards an operator gave (`--queue-shards`). */
  queue: { ceiling: Measured<{ jobsPerS: number; kind: string }> } | { givenShards: number };
  apiCpuMs: Measured<number>;
  usageCpuMs: Measured<number>;
  /** Cores per worker and api instance (instance sizes of modules/layout). */
  workerCores: number;
  apiCores: number;
  /** Consul server failures to survive (1 → 3 servers, 2 → 5). */
  consulFailures: 1 | 2;
}

export interface TierPlan {
  tier: 'worker' | 'api' | 'queue' | 'usage' | 'identity' | 'consul';
  instances: number;
  coresPerInstance: number;
  /** How the figure follows from the sources. */
  reasoning: string;
  sources: Source[];
  /** The article's estimate for the tier, in words. */
  article: string;
  /** A limit the plan cannot meet by adding instances (e.g. one usage process is too few). */
  warning?: string;
}

export interface Plan {
  rate: number;
  headroom: number;
  /** rate × (1 + headroom): what every tier is sized to carry. */
  sized: number;
  tiers: TierPlan[];
}

const fmt = (n: number, digits = 1) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: digits }));

/** Resizes/s per core for the mix: the harmonic mean of each image's per-core rate, weighted by its share. */
function mixPerCore(workers: PlanInput['workers']): number {
  const total = workers.reduce((a, w) => a + w.share, 0);
  return 1 / workers.reduce((a, w) => a + w.share / total / (w.capacity.value.ratePerS / w.capacity.value.cores), 0);
}

function workerTier(p: PlanInput, sized: number): TierPlan {
  const perCore = mixPerCore(p.workers);
  const instances = Math.ceil(sized / (perCore * p.workerCores));
  const cores = instances * p.workerCores;
  return {
    tier: 'worker',
    instances,
    coresPerInstance: p.workerCores,
    reasoning: `${fmt(sized)}/s ÷ (${fmt(perCore, 2)}/s per core × ${p.workerCores} cores) → ${instances} instances, ${fmt(cores)} cores (${fmt(cores / 1280, 2)} × the article's 1,280)`,
    sources: p.workers.map((w) => w.capacity.source),
    article: '40 × 32-core machines (1,280 cores)',
  };
}

/**
 * The busiest share of its cores an api server is planned to run at. CPU time alone would fill
 * them; the `steady` scenario held p99 at 81 ms (SLA 500) at 70 % of the measured capacity
 * (README, Measured), so that is where the plan keeps the api tier's latency within budget.
 */
const API_UTILISATION = 0.7;

function apiTier(p: PlanInput, sized: number): TierPlan {
  const busy = (sized * p.apiCpuMs.value) / 1000;
  const cores = busy / API_UTILISATION;
  const instances = Math.max(3, Math.ceil(cores / p.apiCores));
  return {
    tier: 'api',
    instances,
    coresPerInstance: p.apiCores,
    reasoning: `${fmt(sized)}/s × ${p.apiCpuMs.value.toFixed(2)} ms CPU = ${fmt(busy)} busy cores, at ${API_UTILISATION * 100} % utilisation (where steady held p99 81 ms) ${fmt(cores)} cores ÷ ${p.apiCores} per instance → ${instances} (at least 3, one per zone)`,
    sources: [p.apiCpuMs.source],
    article: '3 api servers',
  };
}

function queueTier(p: PlanInput, sized: number): TierPlan {
  const tier = { tier: 'queue' as const, coresPerInstance: 2, article: 'one queue' };
  const pair = 'an active and a standby broker each (a broker is one Node event loop: 2 cores leave one for GC and the OS)';
  if ('givenShards' in p.queue) {
    const shards = p.queue.givenShards;
    return {
      ...tier,
      instances: shards * 2,
      reasoning: `${shards} shard${shards > 1 ? 's' : ''} as given (--queue-shards), not from a measurement; ${pair}`,
      sources: [{ file: 'the command line', measuredAt: 'given', figure: `--queue-shards ${shards}` }],
      warning: 'the queue is sized by hand: run npm run bench:queue on a quiet machine and plan again',
    };
  }
  const ceiling = p.queue.ceiling;
  const shards = Math.ceil(sized / ceiling.value.jobsPerS);
  return {
    ...tier,
    instances: shards * 2,
    reasoning: `${fmt(sized)} jobs/s ÷ ${fmt(ceiling.value.jobsPerS)} per broker → ${shards} shard${shards > 1 ? 's' : ''}, ${pair}`,
    sources: [ceiling.source],
  };
}

function usageTier(p: PlanInput, sized: number): TierPlan {
  const perProcess = 1000 / p.usageCpuMs.value;
  const load = sized / perProcess;
  return {
    tier: 'usage',
    instances: 1,
    coresPerInstance: 2,
    reasoning: `one record per request: ${fmt(sized)} records/s ÷ ${fmt(perProcess, 0)} records/s per usage process (1000 ÷ ${p.usageCpuMs.value.toFixed(2)} ms) = ${fmt(load * 100, 0)} % of its one core`,
    sources: [p.usageCpuMs.source],
    article: 'not sized (one metering service)',
    ...(load > 1 ? { warning: `one usage process carries ${fmt(perProcess, 0)} records/s, ${fmt(load, 2)} × too few: usage would need sharding by tenant, which nines does not do yet` } : {}),
  };
}

/** The fleet for `p.rate` with `p.headroom` spare, tier by tier. */
export function planFleet(p: PlanInput): Plan {
  const sized = p.rate * (1 + p.headroom);
  const consul = 2 * p.consulFailures + 1;
  const design = (figure: string): Source => ({ file: 'README.md', measuredAt: 'design', figure });
  return {
    rate: p.rate,
    headroom: p.headroom,
    sized,
    tiers: [
      workerTier(p, sized),
      apiTier(p, sized),
      queueTier(p, sized),
      usageTier(p, sized),
      {
        tier: 'identity',
        instances: 1,
        coresPerInstance: 2,
        reasoning: 'off the request path: api servers answer from their replica of the key snapshot; identity serves the admin API and the blocking query',
        sources: [design('api servers replicate identity (README, Architecture)')],
        article: 'not sized',
      },
      {
        tier: 'consul',
        instances: consul,
        coresPerInstance: 2,
        reasoning: `2f + 1 servers survive f = ${p.consulFailures} failure${p.consulFailures > 1 ? 's' : ''} (Raft majority), one per zone`,
        sources: [design('Raft needs a majority of servers (README, Leader election)')],
        article: 'no coordinator (a single queue)',
      },
    ],
  };
}
