import { runService } from '../lib/service.ts';
import { loadApiConfig } from '../lib/config.ts';
import { listen } from '../lib/http/server.ts';
import { connectShards, firstConnected } from '../lib/bus.ts';
import { decodeJson } from '../lib/wire.ts';
import { usageAckSchema } from '../usage/validate.ts';
import { topics } from '../lib/topics.ts';
import { IdentityReplica } from '../identity/replica.ts';
import { buildApiApp } from './app.ts';
import { Admission } from './admission.ts';
import { shedding } from './shed.ts';
import { JobClient } from './job-client.ts';
import { ShardedJobs } from './shards.ts';
import { queueMetrics } from './queue-metrics.ts';
import { UsageBatcher } from './usage-batcher.ts';
import { apiMetrics } from './metrics.ts';
import { QueueUnavailableError } from './errors.ts';
import { BufferPool } from '../lib/buffer-pool.ts';
import { frameAllocator } from './body.ts';
import { BlobStore } from './blob-store.ts';
import { Counter } from 'prom-client';
import { setHeapGrowingPercent } from '../lib/heap.ts';

await runService({
  name: 'api',
  loadConfig: loadApiConfig,
  async start(config, log, registry) {
    setHeapGrowingPercent(config.heapGrowingPercent);
    const identity = new IdentityReplica({ identityUrl: config.identityUrl, serviceToken: config.serviceToken, log: log.child({ module: 'identity-replica' }), registry });
    identity.start();
    // One connection per queue shard; jobs spread over them (shards.ts), usage batches take
    // whichever is connected, and each shard's replies and usage acks come back on it.
    const buses = connectShards(config.brokers, {
      role: 'api',
      id: config.id,
      secret: config.mqttSecret,
      log: log.child({ module: 'mqtt' }),
      subscriptions: [topics.apiReply(config.id), topics.usageAck(config.id)],
    });
    const qm = queueMetrics(registry);
    const options = { retryAfterS: config.retryAfterS, brokerWaitMs: config.brokerWaitMs, ackDelayMs: config.ackDelayMs };
    const jobs = new ShardedJobs(buses.map((bus, shard) => new JobClient(bus, log.child({ module: 'jobs', shard }), qm, { ...options, shard })));
    const batcher = new UsageBatcher(firstConnected(buses), { apiId: config.id, ...config.usage, maxAgeMs: config.usage.batchMaxMs, maxRecords: config.usage.batchMaxRecords }, log.child({ module: 'usage' }), registry);
    const replyTopic = topics.apiReply(config.id);
    const ackTopic = topics.usageAck(config.id);
    buses.forEach((bus, shard) =>
      bus.on('message', (topic, payload) => {
        try {
          if (topic === replyTopic) jobs.shards[shard]!.onReplyFrame(payload);
          else if (topic === ackTopic) batcher.onAck(decodeJson(payload, usageAckSchema).batchId);
        } catch (err) {
          log.warn({ err, topic, shard }, 'malformed message dropped');
        }
      }),
    );
    const pool = new BufferPool(config.bufferPoolBytes);
    const blobsServed = new Counter({
      name: 'nines_api_blobs_served_total',
      help: 'Claim-check requests by workers, by outcome: ok (image fetched), reply (result handed back), not_found (job already settled), unauthorized, refused (a reply too large or unreadable).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    const blobs = new BlobStore(pool, '', blobsServed, (frame) => jobs.onDirectReplyFrame(frame));
    const blobHttp = await listen(blobs.handler, config.host, config.blob.port);
    blobs.setBaseUrl(config.blob.url ?? blobHttp.url);
    const frames = frameAllocator(pool, config.claimCheckBytes);
    const metrics = apiMetrics(registry);
    const admission = new Admission({ maxInFlight: config.limits.maxInFlight, tenantMaxInFlight: config.limits.tenantMaxInFlight, retryAfterS: config.retryAfterS });
    const app = buildApiApp({ config, log, registry, metrics, identity, jobs, batcher, frames, blobs, admission });
    const front = shedding(app, { identity, admission, metrics, batcher, log: log.child({ module: 'shed' }), maxBodyBytes: config.limits.maxBodyBytes });
    const http = await listen(front.request, config.host, config.port, { app, checkContinue: front.checkContinue });
    return {
      info: { port: http.port, url: http.url, id: config.id },
      async close() {
        await http.close();
        jobs.failAll(new QueueUnavailableError('no_broker', config.retryAfterS));
        await blobHttp.close();
        // Usage of the requests just served is not lost on a clean stop.
        await batcher.drain(3000);
        batcher.close();
        await identity.stop();
        await Promise.all(buses.map((b) => b.endAsync()));
      },
    };
  },
});
