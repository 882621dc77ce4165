/**
 * The plan as the deployment reads it: terraform/environments/<env>/fleet.auto.tfvars.json,
 * whose `fleet` is validated by terraform/modules/layout and whose `plan` is recorded on
 * every resource as tags.
 */
import type { Plan, TierPlan } from './fleet.ts';

export interface FleetTfvars {
  fleet: {
    api: { instances: number; cores: number };
    worker: { instances: number; cores: number };
    queue_shards: number;
    broker_cores: number;
    usage: { instances: number; cores: number };
    identity_cores: number;
    consul_servers: number;
  };
  plan: { generated_at: string; command: string };
}

/** The tfvars of `plan`; `command` is the command line that made it. */
export function fleetTfvars(plan: Plan, command: string, generatedAt: Date): FleetTfvars {
  const t = (name: TierPlan['tier']) => plan.tiers.find((x) => x.tier === name)!;
  const group = (name: TierPlan['tier']) => ({ instances: t(name).instances, cores: t(name).coresPerInstance });
  return {
    fleet: {
      api: group('api'),
      worker: group('worker'),
      queue_shards: t('queue').instances / 2,
      broker_cores: t('queue').coresPerInstance,
      usage: group('usage'),
      identity_cores: t('identity').coresPerInstance,
      consul_servers: t('consul').instances,
    },
    plan: { generated_at: generatedAt.toISOString(), command },
  };
}
