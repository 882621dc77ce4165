import type { MqttBus } from '../../system/lib/bus.ts';

/**
 * Resolves on the bus's first connect, rejects after `timeoutMs`. MqttBus sends its
 * subscriptions before it emits 'connect', ahead of anything the caller publishes next.
 */
export function connected(bus: MqttBus, timeoutMs: number, what: string): Promise<void> {
  if (bus.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no broker connection within ${timeoutMs} ms`)), timeoutMs);
    bus.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
