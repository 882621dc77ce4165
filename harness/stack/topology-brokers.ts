/**
 * The brokers of an `ha` topology: for each queue shard an active/standby pair (or as many
 * as asked) that elect their shard's leader through Consul, each broker reaching Consul
 * through its own proxies and preferring its own "local" Consul server.
 */
import type { Launcher } from './launcher.ts';
import type { ManagedProcess } from './process.ts';
import type { Infra } from './topology-infra.ts';
import type { TopologyPlan } from './topology-plan.ts';

/** Starts every broker of the plan; resolves once each has reported ready (not once one leads). */
export function launchBrokers(l: Launcher, plan: TopologyPlan, infra: Infra, env: Record<string, string> = {}): Promise<ManagedProcess[]> {
  const { mqtt: secrets } = l.secrets;
  return Promise.all(
    plan.brokers.map((b) =>
      l.launch(`broker-${b.id}`, 'system/broker/main.ts', {
        NINES_BROKER_ID: b.id,
        NINES_QUEUE_SHARD: String(b.shard),
        NINES_BROKER_PORT: String(b.mqttPort),
        NINES_BROKER_ADVERTISE: `mqtt://127.0.0.1:${b.mqttPort}`,
        NINES_CONSUL_URL: infra.consulUrls(b.id, b.index),
        NINES_MQTT_SECRET_API: secrets.api,
        NINES_MQTT_SECRET_WORKER: secrets.worker,
        NINES_MQTT_SECRET_USAGE: secrets.usage,
        ...env,
      }),
    ),
  );
}
