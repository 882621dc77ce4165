/**
 * The MQTT connection of an api server, worker or usage service: authenticated as
 * `<role>:<id>`, clean session, reconnecting. It either connects to a fixed broker URL, or
 * follows the broker leader in Consul (LeaderWatch) and moves to the new leader when the
 * key changes. Queue messages are QoS 0 on purpose: what a dropped connection loses is
 * recovered at the application level (the broker redelivers unacked jobs, api servers
 * republish pending jobs to a new leader and resend unacked usage batches), which QoS 1 on
 * a clean session would not do anyway.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type IClientPublishOptions, type MqttClient, type OnMessageCallback, type PacketCallback } from 'mqtt';
import type { Logger } from 'pino';
import { usernameOf, type Role } from './topics.ts';
import { LeaderWatch, type LeaderInfo } from './leader-watch.ts';
import { ConsulClient } from './consul.ts';
import type { BrokerSource } from './config.ts';

/** How long a connection attempt waits for the broker's CONNACK before mqtt.js retries. */
const CONNECT_TIMEOUT_MS = 3_000;

/** What services use of a connection; an mqtt.js client satisfies it too. */
export interface Bus {
  readonly connected: boolean;
  publish(topic: string, message: string | Buffer, opts: IClientPublishOptions, callback?: PacketCallback): unknown;
  on(event: 'message', cb: OnMessageCallback): unknown;
  on(event: 'connect', cb: () => void): unknown;
  on(event: 'close', cb: () => void): unknown;
  off(event: 'message', cb: OnMessageCallback): unknown;
}

export interface BusOptions {
  role: Role;
  id: string;
  secret: string;
  log: Logger;
  /** Topics to (re)subscribe on every connect. */
  subscriptions?: string[];
  /** A fixed broker URL, or a leader watch to follow. */
  broker: { url: string } | { watch: LeaderWatch; routes?: Record<string, string> };
  reconnectPeriodMs?: number;
}

export class MqttBus extends EventEmitter implements Bus {
  private client: MqttClient | undefined;
  private url: string | undefined;
  private closed = false;
  /** Detaches and ends the current client (connectTo). */
  private retire: (() => void) | undefined;

  constructor(private readonly o: BusOptions) {
    super();
  }

  /** Connects (fixed URL) or starts following the leader. */
  start(): this {
    if ('url' in this.o.broker) this.connectTo(this.o.broker.url);
    else {
      const { watch, routes } = this.o.broker;
      const follow = (l: LeaderInfo) => this.connectTo(routes?.[l.id] ?? l.url, l);
      watch.on('leader', follow);
      if (watch.leader) follow(watch.leader);
      watch.start();
    }
    return this;
  }

  get connected(): boolean {
    return !!this.client?.connected;
  }

  /** The broker URL currently in use. */
  get brokerUrl(): string | undefined {
    return this.url;
  }

  publish(topic: string, message: string | Buffer, opts: IClientPublishOptions, callback?: PacketCallback): this {
    if (!this.client) callback?.(new Error('not connected to a broker'));
    else this.client.publish(topic, message, opts, callback);
    return this;
  }

  async unsubscribeAsync(topic: string): Promise<void> {
    await this.client?.unsubscribeAsync(topic);
  }

  async endAsync(force = false): Promise<void> {
    this.closed = true;
    if (!('url' in this.o.broker)) await this.o.broker.watch.stop();
    await this.client?.endAsync(force);
  }

  private connectTo(url: string, leader?: LeaderInfo): void {
    if (this.closed || url === this.url) return;
    this.url = url;
    // The old leader is gone or deposed: drop its connection at once rather than let it linger.
    this.retire?.();
    this.o.log.info({ url, leader: leader?.id, epoch: leader?.epoch }, 'connecting to broker');
    const c = mqtt.connect(url, {
      username: usernameOf({ role: this.o.role, id: this.o.id }),
      password: this.o.secret,
      clientId: `${this.o.role}-${this.o.id}`,
      clean: true,
      protocolVersion: 4,
      keepalive: 5,
      reconnectPeriod: this.o.reconnectPeriodMs ?? 250,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Never buffer publishes while disconnected: callers must see that they are offline.
      queueQoSZero: false,
      // A broker that has just won the lock may refuse us ("server unavailable") for the
      // few ms before it has read its epoch: keep retrying instead of giving up.
      reconnectOnConnackError: true,
    });
    this.client = c;
    const onConnect = () => {
      // mqtt.js leaves Nagle on. A queue message is small and its answer is what the peer
      // waits for, so a held segment costs up to a delayed ACK (40 ms on Linux): with
      // claim-checked jobs nothing else flows back on the api's connection, and dispatch
      // stalled at 1,000 jobs/s with the broker 10-20 % busy (bench/RESULTS.md).
      (c.stream as unknown as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
      this.o.log.info({ url }, 'mqtt connected');
      if (this.o.subscriptions?.length) {
        c.subscribe(this.o.subscriptions, { qos: 0 }, (err) => {
          if (err) this.o.log.error({ err: err.message }, 'mqtt subscribe refused');
        });
      }
      this.emit('connect');
    };
    const onMessage: OnMessageCallback = (topic, payload, packet) => this.emit('message', topic, payload, packet);
    const onClose = () => this.emit('close');
    c.on('connect', onConnect);
    c.on('message', onMessage);
    c.on('close', onClose);
    // Kept for the client's whole life, retired or not: see `retire`.
    c.on('error', (err) => this.o.log.warn({ err: err.message, url }, 'mqtt error'));
    /**
     * Stops forwarding this client's events and ends it. Only our own listeners go: mqtt.js
     * clears a pending CONNACK timer (and its keepalive) from its own 'close' listener, and
     * that timer fires 'error' later. Removing every listener once let it fire on a client
     * with no error listener left, an uncaught exception that killed both api servers and a
     * worker in a failover which caught their old clients waiting for a CONNACK (Toxiproxy
     * accepts a connection before it finds the dead broker behind it).
     */
    this.retire = () => {
      c.off('connect', onConnect);
      c.off('message', onMessage);
      c.off('close', onClose);
      c.end(true);
    };
  }
}

/** Connects a service to its broker: a fixed URL, or whichever broker holds the Consul lock. */
export function connectBus(source: BrokerSource, o: Omit<BusOptions, 'broker'>): MqttBus {
  const broker =
    'url' in source
      ? { url: source.url }
      : { watch: new LeaderWatch(new ConsulClient(source.consulUrl), source.key, o.log.child({ module: 'leader-watch' })), routes: source.routes };
  return new MqttBus({ ...o, broker }).start();
}

/** One connection per queue shard, in shard order, each logging its shard. */
export function connectShards(sources: readonly BrokerSource[], o: Omit<BusOptions, 'broker'>): MqttBus[] {
  return sources.map((source, shard) => connectBus(source, { ...o, log: o.log.child({ shard }) }));
}

/**
 * The first connected of several buses, for traffic any shard may carry (usage batches): it
 * is connected while one of them is, and publishes through the first that is.
 */
export function firstConnected(buses: readonly Bus[]): Pick<Bus, 'connected' | 'publish'> {
  return {
    get connected() {
      return buses.some((b) => b.connected);
    },
    publish(topic, message, opts, callback) {
      const bus = buses.find((b) => b.connected) ?? buses[0]!;
      return bus.publish(topic, message, opts, callback);
    },
  };
}
