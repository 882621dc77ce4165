/**
 * Follows the broker leader key in Consul with blocking queries and reports who leads:
 * the broker's id, its advertised MQTT URL and its epoch (the key's LockIndex). Used by
 * api servers, workers and usage to find the broker, and by standby brokers to campaign.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ConsulClient } from './consul.ts';

export interface LeaderInfo {
  id: string;
  url: string;
  epoch: number;
}

/** The leader key's value: what a broker advertises when it takes the lock. */
export const encodeLeader = (id: string, url: string) => JSON.stringify({ id, url });

export function decodeLeader(value: string | undefined, epoch: number): LeaderInfo | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as { id?: unknown; url?: unknown };
    return typeof v.id === 'string' && typeof v.url === 'string' ? { id: v.id, url: v.url, epoch } : undefined;
  } catch {
    return undefined;
  }
}

export class LeaderWatch extends EventEmitter<{ leader: [LeaderInfo]; none: [] }> {
  private stopped = false;
  private current: LeaderInfo | undefined;
  private loop: Promise<void> | undefined;
  /** Ends the blocking query at a stop, so a stopping service does not wait out its 5 s. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly consul: ConsulClient,
    private readonly key: string,
    private readonly log: Logger,
    private readonly waitMs = 5000,
  ) {
    super();
  }

  get leader(): LeaderInfo | undefined {
    return this.current;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let index: number | undefined;
    let backoff = 50;
    while (!this.stopped) {
      try {
        const k = await this.consul.readKey(this.key, { index, waitMs: this.waitMs, cancel: this.stopping.signal });
        // An index that goes backwards means Consul's state was reset: start over.
        index = k.index > (index ?? 0) ? k.index : undefined;
        backoff = 50;
        const next = k.session ? decodeLeader(k.value, k.lockIndex) : undefined;
        if (next && (next.id !== this.current?.id || next.epoch !== this.current?.epoch)) {
          this.current = next;
          this.log.info({ leader: next.id, epoch: next.epoch }, 'broker leader');
          this.emit('leader', next);
        } else if (!next && this.current) {
          this.current = undefined;
          this.log.info('no broker leader');
          this.emit('none');
        }
      } catch (err) {
        if (this.stopped) break;
        this.log.warn({ err: (err as Error).message }, 'cannot read the broker leader key; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 1000);
        index = undefined;
      }
    }
  }
}
