/**
 * An MQTT client for a nines service: authenticated as `<role>:<id>`, clean session,
 * automatic reconnect. Queue messages are QoS 0 on purpose: delivery on a live TCP
 * connection is reliable, and what a dropped connection loses is recovered at the
 * application level (the broker redelivers unacked jobs, api servers resend unacked
 * usage batches), which QoS 1 on a clean session would not do anyway.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { usernameOf, type Role } from './topics.ts';

export interface MqttOptions {
  url: string;
  role: Role;
  id: string;
  secret: string;
  log: Logger;
  /** Topics to (re)subscribe on every connect. */
  subscriptions?: string[];
  reconnectPeriodMs?: number;
}

export function connectMqtt(o: MqttOptions): MqttClient {
  const client = mqtt.connect(o.url, {
    username: usernameOf({ role: o.role, id: o.id }),
    password: o.secret,
    clientId: `${o.role}-${o.id}`,
    clean: true,
    protocolVersion: 4,
    keepalive: 10,
    reconnectPeriod: o.reconnectPeriodMs ?? 250,
    connectTimeout: 5_000,
    // Do not buffer publishes while disconnected: a caller must see that it is offline.
    queueQoSZero: false,
  });
  client.on('connect', () => {
    o.log.info({ url: o.url }, 'mqtt connected');
    if (o.subscriptions?.length) {
      client.subscribe(o.subscriptions, { qos: 0 }, (err, granted) => {
        const refused = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
        if (err || refused.length) o.log.error({ err, refused }, 'mqtt subscribe refused');
      });
    }
  });
  client.on('close', () => o.log.debug('mqtt connection closed'));
  client.on('error', (err) => o.log.warn({ err: err.message }, 'mqtt error'));
  return client;
}
