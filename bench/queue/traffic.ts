/**
 * MQTT traffic as the simulated clients see it, by direction: what the clients publish
 * (`api→broker`, `worker→broker`) and what the broker delivers to them (`broker→worker`,
 * `broker→api`). The raw-aedes baseline replays these counts and average sizes, so this is
 * the only description of the queue's traffic the rest of the bench needs. Bytes are
 * payload bytes (MQTT framing and topic names excluded: they are the same either way).
 */
import type { Bus } from '../../system/lib/bus.ts';

export const directions = ['api→broker', 'broker→worker', 'worker→broker', 'broker→api'] as const;
export type Direction = (typeof directions)[number];

export interface Flow {
  count: number;
  bytes: number;
}

export type TrafficSnapshot = Record<Direction, Flow>;

export class Traffic {
  private flows = Traffic.empty();

  private static empty(): TrafficSnapshot {
    return Object.fromEntries(directions.map((d) => [d, { count: 0, bytes: 0 }])) as TrafficSnapshot;
  }

  add(d: Direction, bytes: number): void {
    const f = this.flows[d];
    f.count++;
    f.bytes += bytes;
  }

  /** The counts so far, and zero from here on (one phase's traffic per call). */
  take(): TrafficSnapshot {
    const s = this.flows;
    this.flows = Traffic.empty();
    return s;
  }

  /** Messages counted in `d` so far (the raw phase waits on deliveries with it). */
  count(d: Direction): number {
    return this.flows[d].count;
  }
}

/** `bus` with every publish counted in `traffic` as `d` before it is sent. */
export function countingBus(bus: Bus & { endAsync(force?: boolean): Promise<void> }, traffic: Traffic, d: Direction): Bus & { endAsync(force?: boolean): Promise<void> } {
  return {
    get connected() {
      return bus.connected;
    },
    publish(topic, message, opts, callback) {
      traffic.add(d, Buffer.byteLength(message));
      return bus.publish(topic, message, opts, callback);
    },
    on: bus.on.bind(bus) as Bus['on'],
    off: bus.off.bind(bus) as Bus['off'],
    endAsync: (force) => bus.endAsync(force),
  };
}
