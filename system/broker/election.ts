/**
 * Leader election for brokers on Consul (Consul's session-and-lock recipe; README.md,
 * "Leader election and failover", gives the timings):
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
 *  - A broker whose calls move off the agent holding its check gives its session up the
 *    same way and campaigns again from the agent it reached (leftHome).
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
  /** The agent our check is registered on: the only one where it can be passed. */
  private home: string | undefined;
  /** A session being given up after calls moved off its home agent (see leftHome). */
  private leaving: Promise<void> | undefined;
  private state: State = { role: 'follower' };
  /** performance.now() at which the last successful call to Consul was *sent*. */
  private lastContact = -Infinity;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private campaign: Promise<void> | undefined;
  /** Ends the campaign's blocking query when we stop, so a stop does not wait out its 2 s. */
  private readonly stopping = new AbortController();

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
    this.stepDown('stopping');
    this.stopping.abort();
    const session = this.session;
    if (session) await this.handOver(session, 'stopping', this.checkId);
    await this.campaign?.catch(() => undefined);
    await this.leaving;
    // The campaign may have made a new session while the first was handed over.
    if (this.session && this.session !== session) await this.handOver(this.session, 'stopping', this.checkId);
  }

  /**
   * Gives a session up, at a stop or when leaving its agent: releases the lock (the standby's
   * blocking query returns at once, and no lock-delay applies), then destroys the session,
   * and deregisters `checkId` if given. A standby releases too: its acquire may have
   * landed without it having seen the result yet, and releasing a lock one does not hold
   * changes nothing. A call that fails (a reset connection; a server cut off from the Raft
   * leader answers 500) or is slow (a Raft commit on a busy cluster can outlast the
   * campaign's short timeout) is retried against the next agent until the check's TTL has
   * run out: after that Consul frees the lock itself, so trying longer would only delay the
   * exit. Without the retry, one lost call turned a graceful handover into a crash-length
   * one (TTL + lock-delay).
   */
  private async handOver(session: string, why: string, checkId?: string): Promise<void> {
    const started = performance.now();
    const deadline = started + this.o.checkTtlMs;
    // Two attempts at least fit in the budget, so a hung agent cannot use all of it.
    const attemptMs = Math.max(100, Math.floor(this.o.checkTtlMs / 2));
    const timeout = () => Math.min(attemptMs, deadline - performance.now());
    let released = false;
    for (let attempt = 1; ; attempt++) {
      const agent = this.consul.agentUrl;
      try {
        if (!released) {
          await this.consul.release(this.o.key, session, timeout());
          released = true;
        }
        await this.consul.destroySession(session, timeout());
        this.log.info({ why, attempts: attempt, ms: Math.round(performance.now() - started) }, 'lock released and session destroyed');
        break;
      } catch (err) {
        // The next attempt goes to the next agent, also when this one answered with an error
        // (a server cut off from the Raft leader answers 500 until it finds the new one).
        this.consul.skipAgent(agent);
        if (deadline - performance.now() < 50) {
          this.log.warn({ why, err: (err as Error).message, released, attempts: attempt }, 'could not release leadership cleanly; Consul will expire it');
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    // A leftover check (on an agent we could not reach) is removed by the next incarnation.
    if (checkId) await this.consul.deregisterCheck(checkId).catch(() => undefined);
  }

  private stepDown(reason: string): void {
    if (this.state.role !== 'leader') return;
    const epoch = this.state.epoch;
    this.state = { role: 'follower' };
    this.log.warn({ event: 'follower', epoch, reason, t: Date.now() }, 'stepped down');
    this.emit('follower', reason);
  }

  private async heartbeat(): Promise<void> {
    if (!this.session || this.leftHome()) return;
    const sent = performance.now();
    try {
      await this.consul.passCheck(this.checkId);
      this.lastContact = Math.max(this.lastContact, sent);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'check pass failed');
    }
  }

  /**
   * True when calls have left the agent holding our check; the session is then given up.
   * Our check can be passed only on its home agent. Once calls have moved to another agent
   * (the home one failed a call), the session is doomed: Consul invalidates it when the
   * check's TTL runs out or, if the home agent died, only when gossip declares its node
   * failed (~7 s here), and until then its lock keeps every broker from leading. So give it
   * up at once: step down, release the lock and destroy the session through the agent we can
   * reach, and campaign again with a new check and session there.
   */
  private leftHome(): boolean {
    const session = this.session;
    if (!session || this.consul.agentUrl === this.home) return false;
    if (this.leaving) return true;
    this.stepDown('calls moved off the Consul agent that holds our check');
    this.session = undefined;
    // Its check stays behind on the agent we cannot reach; the next incarnation removes it.
    this.leaving = this.handOver(session, `left Consul agent ${this.home}`).finally(() => (this.leaving = undefined));
    return true;
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
    this.home = this.consul.agentUrl;
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
        this.leftHome();
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
        const k = await this.consul.readKey(this.o.key, { index, waitMs: Math.min(2000, (this.o.sessionTtlS * 1000) / 3), cancel: this.stopping.signal });
        index = k.index;
        if (session !== this.session) continue; // given up meanwhile (leftHome): never lead under it
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
        if (this.stopped) break;
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
