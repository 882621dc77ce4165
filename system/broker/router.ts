/**
 * Routes the messages clients publish to the broker: one handler per topic, looked up by the
 * publisher's role and the topic. A handler decodes its message through the message's schema
 * (system/lib/jobs.ts) and either consumes it (a job submission, a credit grant, acks) or lets
 * aedes deliver it (a reply on its way to an api server, usage traffic). A message that does
 * not decode is refused: logged (at most once a second per topic), counted by topic and
 * reason, not delivered, and the publisher keeps its connection — one bad frame from a buggy
 * api server must not cost it every reply in flight. Authorization has already run
 * (auth.ts): a topic a role may not publish to never gets here.
 */
import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { FrameError } from '../lib/wire.ts';
import type { Principal } from '../lib/topics.ts';

export type Verdict = 'deliver' | 'consume';

/** What became of a message: delivered on by aedes, consumed here, or refused. */
export type Outcome = Verdict | 'refuse';

export interface Route {
  /** The name metrics and logs use for the topic (`submit`, `reply`, …). */
  name: string;
  role: Principal['role'];
  matches(topic: string, p: Principal): boolean;
  /** Acts on the message; throws FrameError (or any error) to refuse it. */
  handle(p: Principal, payload: Buffer, client: Client): Verdict;
}

export class Router {
  private readonly lastWarned = new Map<string, number>();

  constructor(
    private readonly routes: readonly Route[],
    private readonly log: Logger,
    private readonly refused: Counter<'topic' | 'reason'>,
  ) {}

  /** Routes one message; aedes delivers it on only when this says 'deliver'. Never throws. */
  route(p: Principal, topic: string, payload: Buffer, client: Client): Outcome {
    const r = this.routes.find((x) => x.role === p.role && x.matches(topic, p));
    if (!r) return this.refuse('unknown', p, topic, new FrameError(`no route for ${p.role} on ${topic}`));
    try {
      return r.handle(p, payload, client);
    } catch (err) {
      return this.refuse(r.name, p, topic, err);
    }
  }

  private refuse(name: string, p: Principal, topic: string, err: unknown): 'refuse' {
    const reason = err instanceof FrameError ? 'malformed' : 'error';
    this.refused.inc({ topic: name, reason });
    const now = Date.now();
    if (now - (this.lastWarned.get(name) ?? 0) >= 1000) {
      this.lastWarned.set(name, now);
      this.log.warn({ err, from: `${p.role}:${p.id}`, topic, reason }, 'queue message refused');
    }
    return 'refuse';
  }
}
