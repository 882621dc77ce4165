/**
 * The broker: an aedes MQTT server plus the job queue (queue.ts). Api servers publish jobs
 * to `nines/jobs/submit`; the broker takes them out of the normal MQTT routing, queues them
 * and dispatches each to one worker with free credit (aedes has no shared subscriptions,
 * so fan-out to one of N workers is ours). It also serves `/healthz`, `/metrics` and a JSON
 * `/status` over HTTP.
 */
import net from 'node:net';
import express from 'express';
import { Aedes, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BrokerConfig } from '../lib/config.ts';
import { decodeFrame, encodeFrame, setFrameHeader } from '../lib/wire.ts';
import { isApiReply, topics } from '../lib/topics.ts';
import type { AckMessage, ApiAck, ApiAckMessage, DispatchHeader, JobHeader, ReadyMessage, RejectedReply, ReplyHeader } from '../lib/jobs.ts';
import { listen, metricsHandler } from '../lib/http/server.ts';
import { NotFoundError, problemHandler } from '../lib/http/problem.ts';
import { JobQueue, type QueuedJob } from './queue.ts';
import { installAuth, principalOf } from './auth.ts';
import { brokerMetrics } from './metrics.ts';
import { LeaderElection } from './election.ts';

export interface RunningBroker {
  mqttPort: number;
  httpPort: number;
  queue: JobQueue;
  close(): Promise<void>;
}

const MAX_ATTEMPTS = 3;

export async function startBroker(config: BrokerConfig, log: Logger, registry: Registry): Promise<RunningBroker> {
  const m = brokerMetrics(registry);
  const broker = await Aedes.createBroker({ drainTimeout: 10_000, heartbeatInterval: 60_000 });
  installAuth(broker, config.secrets, log);
  // Without Consul this broker always leads under the configured epoch; with Consul it
  // leads only while the election says so, under the lock's LockIndex.
  let election: LeaderElection | undefined;
  const epochNow = () => (election ? election.leaderEpoch() : config.epoch);
  const dispatchLog = log.child({ module: 'dispatch' });

  const publish = (topic: string, payload: Buffer) =>
    broker.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, (err) => {
      if (err) log.warn({ err, topic }, 'publish failed');
    });

  const queue = new JobQueue(
    { maxLength: config.queueMax, jobTimeoutMs: config.jobTimeoutMs, maxAttempts: MAX_ATTEMPTS, workerGraceMs: config.workerGraceMs },
    {
      send(workerId, job) {
        const epoch = epochNow();
        if (epoch === undefined) return; // deposed: the new leader gets the job from its api server
        const header: DispatchHeader = { ...job.header, epoch, attempt: job.attempt };
        // One line per dispatch: the harness proves from these that no two brokers ever
        // dispatched under a valid epoch at the same time.
        dispatchLog.info({ event: 'dispatch', epoch, jobId: job.header.jobId, worker: workerId, t: Date.now() });
        publish(topics.workerJobs(workerId), setFrameHeader(job.frame, header));
      },
      refuse(job, reason) {
        m.jobs.inc({ outcome: reason === 'too_many_attempts' ? 'failed' : `refused_${reason}` });
        const epoch = epochNow();
        if (epoch === undefined) return;
        const reply: RejectedReply = { type: 'rejected', jobId: job.header.jobId, epoch, reason, retryAfterS: config.retryAfterS };
        publish(topics.apiReply(job.header.replyTo), encodeFrame(reply));
      },
    },
    {
      onDispatch(_job: QueuedJob, _workerId, waitedMs) {
        m.jobs.inc({ outcome: 'dispatched' });
        m.queueWait.observe(waitedMs / 1000);
      },
      onExpired: (job) => {
        m.jobs.inc({ outcome: 'expired' });
        log.debug({ jobId: job.header.jobId }, 'job expired in queue');
      },
      onRedeliver: (job, why) => {
        m.jobs.inc({ outcome: 'redelivered' });
        log.info({ jobId: job.header.jobId, why, attempt: job.attempt }, 'job redelivered');
      },
    },
  );

  // A restarted worker reconnects with the same id and takes over the old session; the
  // old connection's disconnect may arrive after the new one said ready, so only the
  // client that currently owns the id can take its slot away.
  const workerClients = new Map<string, Client>();
  const connected = new Set<Client>();
  broker.on('client', (c) => connected.add(c));

  // Acks from an api server for replies it got straight from workers (jobs.ts ApiAck).
  const ackByApi = (apiId: string, acks: unknown) => {
    if (acks === undefined) return;
    if (!Array.isArray(acks) || acks.length > 1024) throw new Error('acks must be an array of at most 1024');
    const epoch = epochNow();
    for (const a of acks as ApiAck[]) {
      if (typeof a?.jobId !== 'string' || typeof a.epoch !== 'number') throw new Error('an ack needs jobId and epoch');
      if (a.epoch === epoch && queue.ackByApi(apiId, a.jobId)) m.jobs.inc({ outcome: 'acked' });
    }
  };

  // Intercept queue traffic before aedes routes it. Auth has already run (installAuth
  // wraps authorizePublish); here we only act on the queue topics.
  const authorize = broker.authorizePublish;
  broker.authorizePublish = (client, packet, done) => {
    authorize.call(broker, client, packet, (err?: Error | null) => {
      if (err) return done(err);
      const p = principalOf(client)!;
      try {
        if (p.role === 'api' && packet.topic === topics.submit) {
          const frame = packet.payload as Buffer;
          const { header } = decodeFrame<JobHeader>(frame);
          if (header.replyTo !== p.id) throw new Error(`replyTo ${header.replyTo} is not the publisher ${p.id}`);
          const { acks, ...job } = header;
          ackByApi(p.id, acks);
          m.jobs.inc({ outcome: 'accepted' });
          // The frame is kept whole: dispatch rewrites its header in place (no image copy).
          queue.submit(job, frame);
        } else if (p.role === 'api' && packet.topic === topics.jobAcks) {
          ackByApi(p.id, (JSON.parse(String(packet.payload)) as ApiAckMessage).acks ?? []);
        } else if (p.role === 'worker' && isApiReply(packet.topic)) {
          // A worker's reply passes through here on its way to the api server: it is the
          // job's ack (sent after the work, before the api has it, as a separate ack was),
          // which saves one message per job on the broker's busiest path.
          // A reply we cannot read still goes on to the api (which drops and logs it); it
          // just acks nothing, and the job is redelivered after its timeout.
          let header: ReplyHeader | undefined;
          try {
            header = decodeFrame<ReplyHeader>(packet.payload as Buffer).header;
          } catch (err) {
            log.warn({ err, worker: p.id }, 'unreadable reply passed on without acking');
          }
          if (header && header.epoch === epochNow() && queue.ack(p.id, header.jobId)) m.jobs.inc({ outcome: 'acked' });
        } else if (p.role === 'worker' && packet.topic === topics.workerAck(p.id)) {
          const ack = JSON.parse(String(packet.payload)) as AckMessage;
          if (ack.epoch === epochNow() && queue.ack(p.id, ack.jobId)) m.jobs.inc({ outcome: 'acked' });
        } else if (p.role === 'worker' && packet.topic === topics.workerReady(p.id)) {
          const ready = JSON.parse(String(packet.payload)) as ReadyMessage;
          if (!Number.isInteger(ready.capacity) || ready.capacity < 1 || ready.capacity > 1024) throw new Error('bad capacity');
          workerClients.set(p.id, client!);
          queue.workerReady(p.id, ready.capacity);
          log.info({ worker: p.id, capacity: ready.capacity }, 'worker ready');
        }
      } catch (cause) {
        // A malformed message is the sender's bug: refuse it (aedes closes that connection).
        log.warn({ err: cause, clientId: client?.id, topic: packet.topic }, 'malformed queue message');
        return done(cause as Error);
      }
      done(null);
    });
  };

  broker.on('clientDisconnect', (client) => {
    connected.delete(client);
    const p = principalOf(client);
    if (p?.role === 'worker' && workerClients.get(p.id) === client) {
      workerClients.delete(p.id);
      log.info({ worker: p.id, requeued: queue.inflight }, 'worker disconnected');
      queue.workerLost(p.id);
    }
  });

  const refreshGauges = () => {
    m.queueDepth.set(queue.length);
    m.inflight.set(queue.inflight);
    m.workers.set(queue.workerCount);
    m.clients.set(broker.connectedClients);
  };
  const gaugeTimer = setInterval(refreshGauges, 1000);
  gaugeTimer.unref();

  const mqttServer = net.createServer(broker.handle);
  mqttServer.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    mqttServer.once('error', reject);
    mqttServer.listen(config.mqttPort, config.host, () => resolve());
  });
  const mqttPort = (mqttServer.address() as net.AddressInfo).port;

  if (config.election) {
    const e = config.election;
    election = new LeaderElection(
      { ...e, id: config.id, advertise: e.advertise ?? `mqtt://${config.host}:${mqttPort}` },
      log.child({ module: 'election' }),
    );
    // A standby serves nobody: clients follow the leader key, and a stray connection
    // (stale address) is refused as "server unavailable" so it looks again.
    const authenticate = broker.authenticate;
    broker.authenticate = (client, username, password, done) => {
      if (epochNow() === undefined) {
        return done(Object.assign(new Error('not the leader'), { returnCode: 3 as const }), false);
      }
      authenticate.call(broker, client, username, password, done);
    };
    election.on('follower', () => {
      // Drop every client and every queued job: api servers republish their pending jobs
      // to the new leader, workers' unacked jobs come back that way too.
      queue.close();
      for (const c of [...connected]) c.close();
    });
    election.on('leader', (epoch) => {
      // A fresh queue: its worker grace starts now, while workers move over to us.
      queue.close();
      log.info({ epoch }, 'serving as leader');
    });
    election.start();
  }

  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/status', (_req, res) => {
    const epoch = epochNow();
    res.json({ id: config.id, leader: epoch !== undefined, epoch: epoch ?? null, queued: queue.length, inflight: queue.inflight, workers: queue.workerCount, clients: broker.connectedClients });
  });
  app.get('/metrics', (req, res, next) => {
    refreshGauges();
    metricsHandler(registry)(req, res, next);
  });
  app.use((req, _res, next) => next(new NotFoundError(req.path)));
  app.use(problemHandler(log));
  const http = await listen(app, config.host, config.httpPort);

  return {
    mqttPort,
    httpPort: http.port,
    queue,
    async close() {
      clearInterval(gaugeTimer);
      await election?.stop();
      queue.close();
      await http.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => mqttServer.close(() => resolve()));
    },
  };
}
