/**
 * The broker of one queue shard: an aedes MQTT server plus the job queue (queue.ts). Api
 * servers publish jobs to `nines/jobs/submit`; the router (router.ts, queue-routes.ts) takes
 * them out of the normal MQTT routing, the queue holds them and the dispatcher (dispatcher.ts)
 * sends them to workers with free credit (aedes has no shared subscriptions, so fan-out to
 * one of N workers is ours). It also serves `/healthz`, `/metrics` and a JSON `/status` over
 * HTTP. With Consul it leads its shard only while it holds the shard's lock (election.ts).
 */
import net from 'node:net';
import express from 'express';
import { Aedes, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BrokerConfig } from '../lib/config.ts';
import { listen, metricsHandler } from '../lib/http/server.ts';
import { NotFoundError, problemHandler } from '../lib/http/problem.ts';
import { JobQueue } from './queue.ts';
import { dispatcher } from './dispatcher.ts';
import { Router } from './router.ts';
import { queueRoutes } from './queue-routes.ts';
import { installAuth, principalOf } from './auth.ts';
import { brokerMetrics, type BrokerMetrics } from './metrics.ts';
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
  m.readEpochFrom(epochNow);

  // A restarted worker reconnects with the same id and takes over the old session; the
  // old connection's disconnect may arrive after the new one granted credit, so only the
  // client that currently owns the id can take its slot away.
  const workerClients = new Map<string, Client>();
  const connected = new Set<Client>();
  broker.on('client', (c) => connected.add(c));

  const queue = queueOver(broker, workerClients, config, log, m, epochNow);

  const router = new Router(
    queueRoutes({
      queue,
      epochNow,
      m,
      onCredit(workerId, credit, client) {
        if (credit.reset) log.info({ worker: workerId, credit: credit.grant }, 'worker ready');
        workerClients.set(workerId, client);
        queue.credit(workerId, credit.grant, credit.reset);
      },
    }),
    log.child({ module: 'router' }),
    m.refused,
  );
  routeThrough(broker, router);

  broker.on('clientDisconnect', (client) => {
    connected.delete(client);
    const p = principalOf(client);
    if (p?.role === 'worker' && workerClients.get(p.id) === client) {
      workerClients.delete(p.id);
      log.info({ worker: p.id, requeued: queue.inflight }, 'worker disconnected');
      queue.workerLost(p.id);
    }
  });

  // Read when scraped (below), not on a timer: an idle broker then does nothing between scrapes.
  const refreshGauges = () => {
    m.queueDepth.set(queue.length);
    m.inflight.set(queue.inflight);
    m.workers.set(queue.workerCount);
    m.clients.set(broker.connectedClients);
  };

  const mqttServer = net.createServer(broker.handle);
  mqttServer.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    mqttServer.once('error', reject);
    mqttServer.listen(config.mqttPort, config.host, () => resolve());
  });
  const mqttPort = (mqttServer.address() as net.AddressInfo).port;

  if (config.election) election = leadThroughConsul(broker, config.election, config, mqttPort, queue, connected, log);

  const http = await listen(statusApp(config, broker, queue, epochNow, () => {
    refreshGauges();
    return registry;
  }, log), config.host, config.httpPort);

  return {
    mqttPort,
    httpPort: http.port,
    queue,
    async close() {
      await election?.stop();
      queue.stop();
      await http.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => mqttServer.close(() => resolve()));
    },
  };
}

/** The queue, and its transport over aedes: a dispatch goes straight to the worker's connection. */
function queueOver(broker: Aedes, workerClients: Map<string, Client>, config: BrokerConfig, log: Logger, m: BrokerMetrics, epochNow: () => number | undefined): JobQueue {
  return new JobQueue(
    { maxLength: config.queueMax, jobTimeoutMs: config.jobTimeoutMs, maxAttempts: MAX_ATTEMPTS, workerGraceMs: config.workerGraceMs },
    dispatcher({
      shard: config.shard,
      retryAfterS: config.retryAfterS,
      epochNow,
      log: log.child({ module: 'dispatch' }),
      m,
      toWorker(workerId, topic, payload) {
        const c = workerClients.get(workerId);
        c?.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, (err) => {
          if (err) log.warn({ err, worker: workerId }, 'dispatch not written');
        });
        return !!c;
      },
      publish: (topic, payload) =>
        broker.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, (err) => {
          if (err) log.warn({ err, topic }, 'publish failed');
        }),
    }),
    {
      onDispatch: (_job, _workerId, waitedMs) => m.queueWait.observe(waitedMs / 1000),
      onExpired: (job) => {
        m.outcome.expired.inc();
        log.debug({ jobId: job.header.jobId }, 'job expired in queue');
      },
      onRedeliver: (job, why) => {
        m.outcome.redelivered.inc();
        log.info({ jobId: job.header.jobId, why, attempt: job.attempt }, 'job redelivered');
      },
    },
  );
}

/**
 * Routes every publish through the router, after authorization (installAuth wraps
 * authorizePublish) and before aedes delivers. A refused message is delivered to nobody
 * (authorizeForward), and its publisher keeps its connection.
 */
function routeThrough(broker: Aedes, router: Router): void {
  const undeliverable = new WeakSet<Buffer>();
  const authorize = broker.authorizePublish;
  broker.authorizePublish = (client, packet, done) => {
    authorize.call(broker, client, packet, (err?: Error | null) => {
      if (err) return done(err);
      const payload = packet.payload as Buffer;
      // Only a refused payload is marked: a consumed one may leave again as a dispatch frame.
      if (router.route(principalOf(client)!, packet.topic, payload, client!) === 'refuse') undeliverable.add(payload);
      done(null);
    });
  };
  broker.authorizeForward = (_client, packet) => (undeliverable.has(packet.payload as Buffer) ? null : packet);
}

/**
 * Leads only while this broker holds its shard's lock. A standby serves nobody: clients follow
 * the leader key, and a stray connection (a stale address) is refused as "server unavailable"
 * so it looks again.
 */
function leadThroughConsul(broker: Aedes, e: NonNullable<BrokerConfig['election']>, config: BrokerConfig, mqttPort: number, queue: JobQueue, connected: Set<Client>, log: Logger): LeaderElection {
  const election = new LeaderElection({ ...e, id: config.id, advertise: e.advertise ?? `mqtt://${config.host}:${mqttPort}` }, log.child({ module: 'election' }));
  const authenticate = broker.authenticate;
  broker.authenticate = (client, username, password, done) => {
    if (election.leaderEpoch() === undefined) {
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
  return election;
}

/** `/healthz`, `/status` (what the harness polls) and `/metrics` (gauges refreshed first). */
function statusApp(config: BrokerConfig, broker: Aedes, queue: JobQueue, epochNow: () => number | undefined, metrics: () => Registry, log: Logger): express.Express {
  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/status', (_req, res) => {
    const epoch = epochNow();
    res.json({ id: config.id, shard: config.shard, leader: epoch !== undefined, epoch: epoch ?? null, queued: queue.length, inflight: queue.inflight, workers: queue.workerCount, clients: broker.connectedClients });
  });
  app.get('/metrics', (req, res, next) => metricsHandler(metrics())(req, res, next));
  app.use((req, _res, next) => next(new NotFoundError(req.path)));
  app.use(problemHandler(log));
  return app;
}
