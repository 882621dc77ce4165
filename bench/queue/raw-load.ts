/**
 * The baseline's clients: as many "api" and "worker" MQTT clients as the queue rig has
 * (the same MqttBus, so the same mqtt.js options), replaying against plain aedes
 * (raw-aedes.ts) the traffic a queue phase produced: in each direction the same number of
 * messages, of the same average size, over the same seconds, on the same open-model
 * schedule. "Api" clients publish what the api sims sent the broker, to the "workers'"
 * topics round-robin; "workers" publish what the worker sims sent, to the "api" topics.
 * The deliveries then follow from routing; messages the queue's broker consumed without
 * passing them on (job submissions beyond the dispatches, api acks) go to a topic nobody
 * subscribes to, so the raw broker delivers as many messages as the real one did.
 */
import type { Logger } from 'pino';
import { connectBus, type Bus, type MqttBus } from '../../system/lib/bus.ts';
import { pollUntil } from '../../harness/stack/poll.ts';
import { countingBus, Traffic, type Direction, type Flow, type TrafficSnapshot } from './traffic.ts';
import { connected } from './connected.ts';
import { openLoop } from './open-loop.ts';

const UNROUTED = 'bench/raw/unrouted';
const CONNECT_TIMEOUT_MS = 10_000;
/** How long deliveries may trail the last publish before the phase gives up on them. */
const DELIVERY_GRACE_MS = 3_000;

interface Side {
  buses: MqttBus[];
  out: Bus[];
  /** The topic each of its clients subscribes to. */
  topics: string[];
}

export class RawLoad {
  private constructor(
    /** What the raw clients published and received, by direction. */
    readonly traffic: Traffic,
    private readonly apis: Side,
    private readonly workers: Side,
  ) {}

  static async start(o: { url: string; apis: number; workers: number; log: Logger }): Promise<RawLoad> {
    const traffic = new Traffic();
    const side = (role: 'api' | 'worker', count: number, published: Direction, received: Direction): Side => {
      const topics = Array.from({ length: count }, (_, i) => `bench/raw/${role}/${i + 1}`);
      const buses = topics.map((topic, i) => {
        // No authentication on the raw broker: any secret will do.
        const bus = connectBus({ url: o.url }, { role, id: `${role[0]}${i + 1}`, secret: 'raw-aedes-needs-no-secret', log: o.log, subscriptions: [topic] });
        bus.on('message', (_t: string, payload: Buffer) => traffic.add(received, payload.length));
        return bus;
      });
      return { buses, out: buses.map((b) => countingBus(b, traffic, published)), topics };
    };
    const load = new RawLoad(traffic, side('api', o.apis, 'api→broker', 'broker→api'), side('worker', o.workers, 'worker→broker', 'broker→worker'));
    const all = [...load.apis.buses, ...load.workers.buses];
    try {
      await connected(all, CONNECT_TIMEOUT_MS, 'raw clients');
    } catch (err) {
      await load.close();
      throw err;
    }
    return load;
  }

  /** Replays `profile` (a queue phase's traffic) over `seconds`; returns the traffic it made. */
  async run(profile: TrafficSnapshot, seconds: number): Promise<TrafficSnapshot> {
    this.traffic.take();
    const toWorkers = Math.min(profile['broker→worker'].count, profile['api→broker'].count);
    const toApis = Math.min(profile['broker→api'].count, profile['worker→broker'].count);
    await Promise.all([replay(this.apis.out, profile['api→broker'], toWorkers, this.workers.topics, seconds), replay(this.workers.out, profile['worker→broker'], toApis, this.apis.topics, seconds)]);
    await pollUntil(async () => (this.traffic.count('broker→worker') >= toWorkers && this.traffic.count('broker→api') >= toApis ? true : undefined), {
      timeoutMs: DELIVERY_GRACE_MS,
      everyMs: 5,
      what: 'raw aedes deliveries',
    }).catch(() => undefined); // a shortfall shows in the returned counts
    return this.traffic.take();
  }

  async close(): Promise<void> {
    await Promise.all([...this.apis.buses, ...this.workers.buses].map((b) => b.endAsync(true)));
  }
}

/**
 * Publishes `flow.count` messages of its average size over `seconds`, round-robin over
 * `publishers`; `routed` of them, spread evenly, go to `topics` (round-robin), the rest to
 * a topic with no subscriber.
 */
async function replay(publishers: Bus[], flow: Flow, routed: number, topics: string[], seconds: number): Promise<void> {
  if (flow.count === 0) return;
  const payload = Buffer.alloc(Math.round(flow.bytes / flow.count), 0x20);
  let i = 0;
  let r = 0;
  await openLoop(flow.count / seconds, seconds, () => {
    const toSubscriber = Math.floor(((i + 1) * routed) / flow.count) > Math.floor((i * routed) / flow.count);
    const topic = toSubscriber ? topics[r++ % topics.length]! : UNROUTED;
    publishers[i++ % publishers.length]!.publish(topic, payload, { qos: 0 });
  });
}
