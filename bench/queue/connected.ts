import { pollUntil } from '../../harness/stack/poll.ts';

/**
 * Resolves once every client is connected, rejects after `timeoutMs` (pollUntil, where every
 * wait goes). MqttBus sends its subscriptions before it counts as connected, ahead of anything
 * the caller publishes next.
 */
export async function connected(clients: ReadonlyArray<{ readonly connected: boolean }>, timeoutMs: number, what: string): Promise<void> {
  await pollUntil(async () => clients.every((c) => c.connected) || undefined, { timeoutMs, everyMs: 10, what: `${what} connected` });
}
