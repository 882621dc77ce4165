/**
 * Leader election for brokers on Consul (the recipe in ARCHITECTURE.md):
 *
 *  - Each broker registers a TTL check on its Consul agent and passes it every
 *    `passEveryMs`; its session is bound to that check and the node's serfHealth, so a
 *    crashed broker's session is invalidated `checkTtlMs` after its last pass.
 *  - It campaigns with `PUT /v1/kv/<key>?acquire=<session>`, the value naming its id and
 *    advertised URL; the key's LockIndex after the acquire is its epoch.
 *  - It leads only while it has reached Consul within `stepDownMs` (< checkTtlMs): a
 *    leader cut off from Consul stops dispatching before Consul can free its lock. The
 *    check is synchronous and clock-based, so a process resumed after SIGSTOP finds itself
 *    deposed before it handles a single message.
 *  - Graceful stop releases the lock and destroys the session: no lock-delay applies, the
 *    standby's blocking query returns at once.
 *
 * Fencing does the rest: every dispatch carries the epoch, and workers and api servers drop
 * messages from an epoch older than one they have seen.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ConsulClient } from '../lib/consul.ts';
import { encodeLeader } from '../lib/leader-watch.ts';

export interface ElectionOptions {
  consulUrl: string;
  key: string;
  id: string;
  advertise: string;
  checkTtlMs: number;
  passEveryMs: number;
  stepDownMs: number;
  sessionTtlS: number;
  lockDelayMs: number;
}

type State = { role: 'follower' } | { role: 'leader'; epoch: number; since: number };

export class LeaderElection extends EventEmitter<{ leader: [number]; follower: [string] }> {
  private readonly consul: ConsulClient;
  private checkId: string;
  private readonly checkPrefix: string;
  private cleaned = false;
  private session: string | undefined;
  private state: State = { role: 'follower' };
  /** performance.now() at which the last successful call to Consul was *sent*. */
  private lastContact = -Infinity;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private campaign: Promise<void> | undefined;

  constructor(
    private readonly o: ElectionOptions,
    private readonly log: Logger,
  ) {
    super();
    // The check's TTL bounds how long a dead broker's lock survives, so keep calls shorter.
    this.consul = new ConsulClient(o.consulUrl, Math.max(100, Math.floor(o.stepDownMs / 2)));
    // One check per process incarnation: a restarted broker must not inherit the critical
    // check of the one that crashed (Consul refuses a session bound to a critical check).
    this.checkPrefix = `nines-broker-${o.id}-`;
    this.checkId = this.newCheckId();
  }

  private newCheckId(): string {
    return this.checkPrefix + randomUUID().slice(0, 8);
  }

  /** The epoch we lead under, or undefined. Deposes us first if Consul has been silent too long. */
  leaderEpoch(): number | undefined {
    if (this.state.role !== 'leader') return undefined;
    if (performance.now() - this.lastContact > this.o.stepDownMs) {
      this.stepDown('no contact with consul within the step-down bound');
      return undefined;
    }
    return this.state.epoch;
  }

  start(): void {
    this.timers.push(setInterval(() => void this.heartbeat(), this.o.passEveryMs));
    // The watchdog: a leader that cannot reach Consul steps down without waiting for traffic.
    this.timers.push(setInterval(() => void this.leaderEpoch(), Math.max(20, Math.floor(this.o.passEveryMs / 4))));
    this.campaign = this.run();
  }

  /** Stops campaigning; a leader releases the lock at once so the standby takes over now. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    const wasLeader = this.state.role === 'leader';
    this.stepDown('stopping');
    const session = this.session;
    if (session) {
      try {
        if (wasLeader) await this.consul.release(this.o.key, session);
        await this.consul.destroySession(session);
        await this.consul.deregisterCheck(this.checkId);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not release leadership cleanly; Consul will expire it');
      }
    }
    await this.campaign?.catch(() => undefined);
  }

  private stepDown(reason: string): void {
    if (this.state.role !== 'leader') return;
    const epoch = this.state.epoch;
    this.state = { role: 'follower' };
    this.log.warn({ event: 'follower', epoch, reason, t: Date.now() }, 'stepped down');
    this.emit('follower', reason);
  }

  private async heartbeat(): Promise<void> {
    if (!this.session) return;
    const sent = performance.now();
    try {
      await this.consul.passCheck(this.checkId);
      this.lastContact = Math.max(this.lastContact, sent);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'check pass failed');
    }
  }

  private async ensureSession(): Promise<string> {
    if (this.session) return this.session;
    if (!this.cleaned) {
      // Checks left by earlier incarnations of this broker (crashed, so never deregistered).
      for (const id of await this.consul.agentCheckIds()) {
        if (id.startsWith(this.checkPrefix) && id !== this.checkId) await this.consul.deregisterCheck(id);
      }
      this.cleaned = true;
    }
    // A fresh check for every session: after an invalidation the old check is critical, and
    // Consul refuses to bind a new session to a critical check.
    const stale = this.checkId;
    this.checkId = this.newCheckId();
    await this.consul.registerTtlCheck(this.checkId, `nines broker ${this.o.id} alive`, `${this.o.checkTtlMs}ms`);
    await this.consul.deregisterCheck(stale).catch(() => undefined);
    const sent = performance.now();
    this.session = await this.consul.createSession({
      name: `nines-broker-${this.o.id}`,
      ttl: `${this.o.sessionTtlS}s`,
      lockDelay: `${this.o.lockDelayMs}ms`,
      nodeChecks: ['serfHealth', this.checkId],
      behavior: 'release',
    });
    this.lastContact = sent;
    this.log.info({ session: this.session }, 'consul session created');
    return this.session;
  }

  private async run(): Promise<void> {
    let index: number | undefined;
    let lastRenew = 0;
    while (!this.stopped) {
      try {
        const session = await this.ensureSession();
        if (performance.now() - lastRenew > (this.o.sessionTtlS * 1000) / 3) {
          const sent = performance.now();
          if (!(await this.consul.renewSession(session))) {
            this.log.warn({ session }, 'consul session was invalidated');
            this.stepDown('session invalidated');
            this.session = undefined;
            continue;
          }
          lastRenew = sent;
        }
        const k = await this.consul.readKey(this.o.key, { index, waitMs: Math.min(2000, (this.o.sessionTtlS * 1000) / 3) });
        index = k.index;
        if (k.session === session) {
          if (this.state.role !== 'leader' && !this.stopped) this.becomeLeader(k.lockIndex);
          continue;
        }
        if (this.state.role === 'leader') this.stepDown(`lock now held by ${k.session ?? 'nobody'}`);
        if (!k.session && !this.stopped) {
          const sent = performance.now();
          if (await this.consul.acquire(this.o.key, session, encodeLeader(this.o.id, this.o.advertise))) {
            this.lastContact = Math.max(this.lastContact, sent);
            index = undefined; // read the new LockIndex at once
          } else {
            // Free but refused: the lock-delay of an invalidated session is running.
            await new Promise((r) => setTimeout(r, Math.min(100, this.o.lockDelayMs)));
            index = undefined;
          }
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'election: consul call failed');
        index = undefined;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private becomeLeader(epoch: number): void {
    if (performance.now() - this.lastContact > this.o.stepDownMs) return;
    this.state = { role: 'leader', epoch, since: Date.now() };
    this.log.warn({ event: 'leader', epoch, t: Date.now() }, 'became leader');
    this.emit('leader', epoch);
  }
}
