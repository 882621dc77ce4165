/**
 * A worker's side of the queue: one connection per shard, one credit split between them.
 * The worker never holds more jobs in total than `credit` (running + prefetched + granted and
 * not yet arrived). A shard that connects starts with a reset grant of what is free; each job
 * done frees a credit, granted again to the connected shard with the fewest outstanding grants
 * (no more than an even share each), so credit flows to where work arrives. One limit, said
 * plainly: credit granted to a shard stays there until that shard sends jobs against it or
 * drops the connection; a shard that gets no work keeps its share idle meanwhile.
 *
 * Dispatches are decoded through their schema and dropped when older than the newest epoch
 * seen on that shard (a deposed leader). Replies to one api server produced in one turn travel
 * in one frame through the job's shard; the turn's new credit and bare acks ride on the first
 * of them, or go alone in a credit message when no reply goes out.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { connectBus, type Bus, type BusOptions } from '../lib/bus.ts';
import type { BrokerSource } from '../lib/config.ts';
import { topics } from '../lib/topics.ts';
import { decodeFrame, encodeBatch, splitBodies } from '../lib/wire.ts';
import { dispatchSchema, MAX_BATCH, type Ack, type Credit, type DispatchedJob, type ReplyHeader, type WireReply } from '../lib/jobs.ts';

export interface FeedJob {
  shard: number;
  epoch: number;
  header: DispatchedJob;
  body: Buffer;
}

export interface FeedOptions {
  brokers: readonly BrokerSource[];
  id: string;
  secret: string;
  credit: number;
  log: Logger;
  /** Counts a dropped dispatch: malformed or from an older epoch. */
  onDropped?(why: 'malformed' | 'stale_epoch'): void;
  /** Makes a shard's connection (default connectBus; the queue bench counts its traffic). */
  connect?(source: BrokerSource, o: Omit<BusOptions, 'broker'>): FeedBus;
}

/** What the feed needs of a connection. */
export type FeedBus = Bus & { endAsync(force?: boolean): Promise<void> };

interface Link {
  shard: number;
  bus: FeedBus;
  granted: number;
  epoch: number;
}

type OutReply = { header: WireReply; body: Buffer };

/** What this turn will send through one shard: replies per api server, credit, bare acks. */
interface Outgoing {
  replies: Map<string, OutReply[]>;
  grant: number;
  acks: Ack[];
}

/** Emits 'job' (FeedJob) for every job dispatched to this worker. */
export class JobFeed extends EventEmitter {
  private readonly links: Link[];
  private held = 0;
  private stopped = false;
  private readonly out = new Map<number, Outgoing>();
  private flushDue = false;

  constructor(private readonly o: FeedOptions) {
    super();
    this.links = o.brokers.map((source, shard) => {
      const bus = (o.connect ?? connectBus)(source, { role: 'worker', id: o.id, secret: o.secret, log: o.log.child({ shard }), subscriptions: [topics.workerJobs(o.id)] });
      const link: Link = { shard, bus, granted: 0, epoch: -1 };
      bus.on('connect', () => this.onConnect(link));
      bus.on('close', () => this.onClose(link));
      bus.on('message', (topic: string, payload: Buffer) => this.onMessage(link, topic, payload));
      return link;
    });
  }

  /** True while at least one shard is connected. */
  get connected(): boolean {
    return this.links.some((l) => l.bus.connected);
  }

  /** Jobs this worker holds now (arrived, not yet done). */
  get holding(): number {
    return this.held;
  }

  /** Sends a reply to the job's api server through the job's shard (its broker takes it as the ack). */
  reply(job: FeedJob, header: ReplyHeader, body: Buffer = Buffer.alloc(0)): void {
    const replies = this.outgoing(job.shard).replies;
    const list = replies.get(job.header.replyTo) ?? [];
    list.push({ header: { ...header, bytes: body.length } as WireReply, body });
    replies.set(job.header.replyTo, list);
  }

  /** The job needs no reply (its api server stopped waiting, or already has it): ack it alone. */
  ack(job: FeedJob): void {
    this.outgoing(job.shard).acks.push({ jobId: job.header.jobId, epoch: job.epoch });
  }

  /** The job is finished: its credit is free again. */
  done(): void {
    this.held--;
    this.grantFree();
  }

  /** Stops granting credit (a drain): jobs already granted may still arrive. */
  drain(): void {
    this.stopped = true;
  }

  /** Sends what is waiting and closes every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.flush();
    await Promise.all(this.links.map((l) => l.bus.endAsync()));
  }

  private onConnect(link: Link): void {
    link.granted = 0;
    link.epoch = -1;
    const grant = this.stopped ? 0 : Math.min(this.free(), this.share());
    link.granted = grant;
    this.publishCredit(link, { grant, reset: true });
  }

  private onClose(link: Link): void {
    // Nothing more can arrive on this connection: its grants, sent or not, are free for the others.
    link.granted = 0;
    const pending = this.out.get(link.shard);
    if (pending) pending.grant = 0;
    this.grantFree();
  }

  private onMessage(link: Link, topic: string, payload: Buffer): void {
    if (topic !== topics.workerJobs(this.o.id)) return;
    let jobs: FeedJob[];
    try {
      const { header, body } = decodeFrame(payload, dispatchSchema);
      const bodies = splitBodies(body, header.jobs);
      jobs = header.jobs.map(({ bytes: _bytes, ...h }, i) => ({ shard: link.shard, epoch: header.epoch, header: h, body: bodies[i]! }));
    } catch (err) {
      this.o.onDropped?.('malformed');
      this.o.log.error({ err, shard: link.shard }, 'malformed dispatch dropped');
      return;
    }
    const epoch = jobs[0]!.epoch;
    if (epoch < link.epoch) {
      this.o.onDropped?.('stale_epoch');
      this.o.log.warn({ shard: link.shard, epoch, current: link.epoch, jobs: jobs.length }, 'dispatch from an old epoch dropped');
      return;
    }
    link.epoch = epoch;
    link.granted = Math.max(0, link.granted - jobs.length);
    this.held += jobs.length;
    for (const job of jobs) this.emit('job', job);
  }

  private free(): number {
    return this.o.credit - this.held - this.links.reduce((n, l) => n + l.granted, 0);
  }

  /** An even share of the credit over the connected shards. */
  private share(): number {
    const connected = this.links.filter((l) => l.bus.connected).length;
    return Math.max(1, Math.ceil(this.o.credit / Math.max(1, connected)));
  }

  /** Grants free credit, one at a time, to the connected shard with the fewest outstanding grants. */
  private grantFree(): void {
    if (this.stopped) return;
    const share = this.share();
    for (let free = this.free(); free > 0; free--) {
      const to = this.links.filter((l) => l.bus.connected && l.granted < share).sort((a, b) => a.granted - b.granted)[0];
      if (!to) return;
      to.granted++;
      this.outgoing(to.shard).grant++;
    }
  }

  private outgoing(shard: number): Outgoing {
    let o = this.out.get(shard);
    if (!o) this.out.set(shard, (o = { replies: new Map(), grant: 0, acks: [] }));
    if (!this.flushDue) {
      this.flushDue = true;
      setImmediate(this.flush);
    }
    return o;
  }

  /**
   * Sends what this turn produced, per shard: each api server's replies in frames of up to
   * MAX_BATCH, the first carrying the shard's new credit and bare acks (the broker reads them
   * as the frame passes), and a credit message only when no reply went out to carry them.
   */
  private readonly flush = (): void => {
    this.flushDue = false;
    for (const [shard, o] of this.out) {
      const link = this.links[shard]!;
      let rider: Partial<Credit> = { ...(o.grant ? { grant: o.grant } : {}), ...(o.acks.length ? { acks: o.acks } : {}) };
      for (const [replyTo, replies] of o.replies) {
        for (let i = 0; i < replies.length; i += MAX_BATCH) {
          const chunk = replies.slice(i, i + MAX_BATCH);
          const frame = encodeBatch({ replies: chunk.map((r) => r.header), ...rider }, chunk.map((r) => r.body));
          link.bus.publish(topics.apiReply(replyTo), frame, { qos: 0 });
          rider = {};
        }
      }
      if (rider.grant || rider.acks) this.publishCredit(link, { grant: rider.grant ?? 0, ...(rider.acks ? { acks: rider.acks } : {}) });
    }
    this.out.clear();
  };

  private publishCredit(link: Link, credit: Credit): void {
    // Offline: the grant is void (the connection's close gave it back), the acks are lost and
    // their jobs redelivered after the timeout, to find the claim gone and be acked then.
    link.bus.publish(topics.workerCredit(this.o.id), JSON.stringify(credit), { qos: 0 });
  }

}
