/**
 * The only module that reads `process.env`. Each service's settings are one strict zod
 * schema over environment variables, parsed once in `main` into a frozen object; a bad
 * configuration fails at start with every problem listed at once.
 *
 * Every variable, its default and its meaning is listed in the README ("Configuration").
 */
import os from 'node:os';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const port = z.coerce.number().int().min(0).max(65535);
const posInt = z.coerce.number().int().positive();
const nonNegInt = z.coerce.number().int().min(0);
const secret = z.string().min(16, 'must be at least 16 characters');
const url = z.url();
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const instanceId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only');

const common = {
  NINES_LOG_LEVEL: logLevel.default('info'),
  NINES_HOST: z.string().default('127.0.0.1'),
};

/** Comma-separated URLs, each of which must parse. */
const urlList = (problem: string) => z.string().refine((v) => v.split(',').every((u) => URL.canParse(u)), problem);
const consulUrls = urlList('give one or more http URLs, comma-separated');

const routes = z
  .string()
  .regex(/^([A-Za-z0-9_.-]+=mqtt:\/\/[^,=]+)(,[A-Za-z0-9_.-]+=mqtt:\/\/[^,=]+)*$/, 'give id=mqtt://host:port pairs separated by commas')
  .transform((v) => Object.fromEntries(v.split(',').map((p) => p.split('=') as [string, string])));

const leaderKey = z.string().regex(/^[A-Za-z0-9_./-]+$/).default('nines/broker/leader');

/** The Consul lock key of a queue shard: shard 0 keeps the configured key, shard s adds `-s`. */
export const shardLeaderKey = (key: string, shard: number) => (shard === 0 ? key : `${key}-${shard}`);

const mqttClient = {
  // One broker URL per shard, comma-separated (used when there is no Consul).
  NINES_BROKER_URL: urlList('give one mqtt:// URL per queue shard, comma-separated').default('mqtt://127.0.0.1:1883'),
  // How many queue shards (broker pairs) there are; this process uses every one.
  NINES_QUEUE_SHARDS: posInt.max(64).default(1),
  NINES_MQTT_SECRET: secret,
  NINES_INSTANCE_ID: instanceId.default(`${os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${process.pid}`),
  // With Consul: follow the leader key instead of a fixed broker URL. Several agents may be
  // given, comma-separated, in order of preference.
  NINES_CONSUL_URL: consulUrls.optional(),
  NINES_LEADER_KEY: leaderKey,
  // Per-broker address overrides (the harness routes each path through its own Toxiproxy proxy).
  NINES_BROKER_ROUTES: routes.optional(),
};

export type BrokerSource = { url: string } | { consulUrl: string; key: string; routes: Record<string, string> };

interface BrokerEnv {
  NINES_BROKER_URL: string;
  NINES_QUEUE_SHARDS: number;
  NINES_CONSUL_URL?: string;
  NINES_LEADER_KEY: string;
  NINES_BROKER_ROUTES?: Record<string, string>;
}

/** Where each queue shard's broker is: shard s's fixed URL, or its leader key in Consul. */
function brokerSources(e: BrokerEnv): BrokerSource[] {
  const shards = Array.from({ length: e.NINES_QUEUE_SHARDS }, (_, s) => s);
  if (e.NINES_CONSUL_URL) {
    const consulUrl = e.NINES_CONSUL_URL;
    return shards.map((s) => ({ consulUrl, key: shardLeaderKey(e.NINES_LEADER_KEY, s), routes: e.NINES_BROKER_ROUTES ?? {} }));
  }
  const urls = e.NINES_BROKER_URL.split(',');
  if (urls.length !== shards.length) {
    throw new ConfigError([`NINES_BROKER_URL: gives ${urls.length} broker URL(s) for NINES_QUEUE_SHARDS=${shards.length}; give one per shard, or NINES_CONSUL_URL`]);
  }
  return urls.map((url) => ({ url }));
}

type Env = Record<string, string | undefined>;

function parse<S extends z.ZodRawShape>(shape: S, env: Env): z.infer<z.ZodObject<S>> {
  const r = z.object(shape).safeParse(env);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return r.data;
}

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
};

export function loadBrokerConfig(env: Env = process.env) {
  const e = parse(
    {
      ...common,
      NINES_BROKER_PORT: port.default(1883),
      NINES_BROKER_HTTP_PORT: port.default(0),
      NINES_MQTT_SECRET_API: secret,
      NINES_MQTT_SECRET_WORKER: secret,
      NINES_MQTT_SECRET_USAGE: secret,
      NINES_QUEUE_MAX: posInt.default(256),
      NINES_JOB_TIMEOUT_MS: posInt.default(30_000),
      NINES_BROKER_WORKER_GRACE_MS: nonNegInt.default(3000),
      NINES_RETRY_AFTER_S: posInt.default(1),
      NINES_BROKER_EPOCH: nonNegInt.default(0),
      NINES_BROKER_ID: instanceId.default('b1'),
      NINES_CONSUL_URL: consulUrls.optional(),
      NINES_LEADER_KEY: leaderKey,
      NINES_QUEUE_SHARD: nonNegInt.max(63).default(0),
      NINES_BROKER_ADVERTISE: url.optional(),
      NINES_ELECTION_CHECK_TTL_MS: posInt.default(1000),
      NINES_ELECTION_PASS_EVERY_MS: posInt.default(200),
      NINES_ELECTION_STEP_DOWN_MS: posInt.default(600),
      NINES_ELECTION_SESSION_TTL_S: posInt.default(10),
      NINES_ELECTION_LOCK_DELAY_MS: posInt.default(500),
    },
    env,
  );
  if (e.NINES_ELECTION_STEP_DOWN_MS >= e.NINES_ELECTION_CHECK_TTL_MS) {
    throw new ConfigError(['NINES_ELECTION_STEP_DOWN_MS: must be below NINES_ELECTION_CHECK_TTL_MS, or a partitioned leader could still dispatch after Consul frees its lock']);
  }
  return deepFreeze({
    logLevel: e.NINES_LOG_LEVEL,
    host: e.NINES_HOST,
    mqttPort: e.NINES_BROKER_PORT,
    httpPort: e.NINES_BROKER_HTTP_PORT,
    secrets: { api: e.NINES_MQTT_SECRET_API, worker: e.NINES_MQTT_SECRET_WORKER, usage: e.NINES_MQTT_SECRET_USAGE },
    queueMax: e.NINES_QUEUE_MAX,
    jobTimeoutMs: e.NINES_JOB_TIMEOUT_MS,
    workerGraceMs: e.NINES_BROKER_WORKER_GRACE_MS,
    retryAfterS: e.NINES_RETRY_AFTER_S,
    epoch: e.NINES_BROKER_EPOCH,
    id: e.NINES_BROKER_ID,
    shard: e.NINES_QUEUE_SHARD,
    election: e.NINES_CONSUL_URL
      ? {
          consulUrl: e.NINES_CONSUL_URL,
          key: shardLeaderKey(e.NINES_LEADER_KEY, e.NINES_QUEUE_SHARD),
          advertise: e.NINES_BROKER_ADVERTISE,
          checkTtlMs: e.NINES_ELECTION_CHECK_TTL_MS,
          passEveryMs: e.NINES_ELECTION_PASS_EVERY_MS,
          stepDownMs: e.NINES_ELECTION_STEP_DOWN_MS,
          sessionTtlS: e.NINES_ELECTION_SESSION_TTL_S,
          lockDelayMs: e.NINES_ELECTION_LOCK_DELAY_MS,
        }
      : undefined,
  });
}
export type BrokerConfig = ReturnType<typeof loadBrokerConfig>;

/** A worker's resizes at once unless told otherwise: its cores + 1 (why: loadWorkerConfig). */
export const defaultWorkerConcurrency = (): number => os.availableParallelism() + 1;

/** The worker's pool of image-sized buffers (claim-check fetches, decoded pixels) unless told otherwise. */
export const DEFAULT_WORKER_BUFFER_POOL_BYTES = 32 * 1024 * 1024;

export function loadWorkerConfig(env: Env = process.env) {
  const e = parse(
    {
      ...common,
      ...mqttClient,
      // One more job than cores: a job spends part of its life off the CPU (the claim-check
      // fetch, handing the reply back, the event loop between libvips stages), and the extra
      // one fills those gaps. Measured (bench:peer, same 10 min, 1600x1306 reference): one
      // job per core kept 1.64-1.69 of 2 cores busy, cores + 1 kept 1.81-1.87 and resized
      // 1.10 x as many per second (0.831 -> 0.918 of thumbor's); the 829 KB photo 1.75 -> 1.90
      // cores, 0.621 -> 0.699 of thumbor's. p99 at half of capacity stayed 25-36 ms.
      NINES_WORKER_CONCURRENCY: posInt.default(defaultWorkerConcurrency()),
      NINES_WORKER_HTTP_PORT: port.default(0),
      NINES_WORKER_PREFETCH: nonNegInt.default(2),
      NINES_MAX_PIXELS: posInt.default(50_000_000),
      NINES_WORKER_BUFFER_POOL_BYTES: nonNegInt.default(DEFAULT_WORKER_BUFFER_POOL_BYTES),
      // turbojpeg: JPEGs that allow it are decoded by libjpeg-turbo already shrunk
      // (system/worker/jpeg-fast-path.ts); sharp: sharp decodes everything.
      NINES_WORKER_JPEG_DECODER: z.enum(['turbojpeg', 'sharp']).default('turbojpeg'),
    },
    env,
  );
  return deepFreeze({
    logLevel: e.NINES_LOG_LEVEL,
    host: e.NINES_HOST,
    bufferPoolBytes: e.NINES_WORKER_BUFFER_POOL_BYTES,
    jpegDecoder: e.NINES_WORKER_JPEG_DECODER,
    brokers: brokerSources(e),
    mqttSecret: e.NINES_MQTT_SECRET,
    id: e.NINES_INSTANCE_ID,
    concurrency: e.NINES_WORKER_CONCURRENCY,
    prefetch: e.NINES_WORKER_PREFETCH,
    httpPort: e.NINES_WORKER_HTTP_PORT,
    maxPixels: e.NINES_MAX_PIXELS,
  });
}
export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadApiConfig(env: Env = process.env) {
  const e = parse(
    {
      ...common,
      ...mqttClient,
      NINES_API_PORT: port.default(8080),
      NINES_API_MAX_BODY_BYTES: posInt.default(8 * 1024 * 1024),
      NINES_MAX_PIXELS: posInt.default(50_000_000),
      NINES_API_MAX_DIMENSION: posInt.default(8192),
      NINES_API_MAX_INFLIGHT: posInt.default(64),
      NINES_API_TENANT_MAX_INFLIGHT: posInt.default(16),
      NINES_API_DEADLINE_MS: posInt.default(5000),
      NINES_API_BROKER_WAIT_MS: nonNegInt.default(2000),
      NINES_API_ACK_DELAY_MS: nonNegInt.default(5),
      NINES_RETRY_AFTER_S: posInt.default(1),
      NINES_IDENTITY_URL: url.default('http://127.0.0.1:8081'),
      NINES_USAGE_URL: url.default('http://127.0.0.1:8082'),
      NINES_SERVICE_TOKEN: secret,
      NINES_USAGE_BATCH_MAX_RECORDS: posInt.default(200),
      NINES_USAGE_BATCH_MAX_MS: posInt.default(1000),
      NINES_USAGE_RESEND_MS: posInt.default(5000),
      NINES_USAGE_MAX_PENDING_RECORDS: posInt.default(100_000),
      // The claim check (system/api/blob-store.ts): images this size or larger are fetched by
      // the worker from this server instead of travelling through the broker.
      NINES_API_CLAIM_CHECK_BYTES: nonNegInt.default(64 * 1024),
      NINES_API_BLOB_PORT: port.default(8090),
      // The URL workers use to reach the blob port (a proxy or another interface); default http://HOST:PORT.
      NINES_API_BLOB_URL: url.optional(),
      NINES_API_BUFFER_POOL_BYTES: nonNegInt.default(64 * 1024 * 1024),
      // V8 old-generation headroom (system/lib/heap.ts); 0 leaves V8's adaptive default.
      NINES_API_HEAP_GROWING_PERCENT: nonNegInt.default(200),
    },
    env,
  );
  return deepFreeze({
    logLevel: e.NINES_LOG_LEVEL,
    host: e.NINES_HOST,
    port: e.NINES_API_PORT,
    brokers: brokerSources(e),
    mqttSecret: e.NINES_MQTT_SECRET,
    id: e.NINES_INSTANCE_ID,
    limits: {
      maxBodyBytes: e.NINES_API_MAX_BODY_BYTES,
      maxPixels: e.NINES_MAX_PIXELS,
      maxDimension: e.NINES_API_MAX_DIMENSION,
      maxInFlight: e.NINES_API_MAX_INFLIGHT,
      tenantMaxInFlight: e.NINES_API_TENANT_MAX_INFLIGHT,
    },
    deadlineMs: e.NINES_API_DEADLINE_MS,
    claimCheckBytes: e.NINES_API_CLAIM_CHECK_BYTES,
    blob: { port: e.NINES_API_BLOB_PORT, url: e.NINES_API_BLOB_URL?.replace(/\/+$/, '') },
    bufferPoolBytes: e.NINES_API_BUFFER_POOL_BYTES,
    heapGrowingPercent: e.NINES_API_HEAP_GROWING_PERCENT,
    brokerWaitMs: e.NINES_API_BROKER_WAIT_MS,
    ackDelayMs: e.NINES_API_ACK_DELAY_MS,
    retryAfterS: e.NINES_RETRY_AFTER_S,
    identityUrl: e.NINES_IDENTITY_URL,
    usageUrl: e.NINES_USAGE_URL,
    serviceToken: e.NINES_SERVICE_TOKEN,
    usage: {
      batchMaxRecords: e.NINES_USAGE_BATCH_MAX_RECORDS,
      batchMaxMs: e.NINES_USAGE_BATCH_MAX_MS,
      resendMs: e.NINES_USAGE_RESEND_MS,
      maxPendingRecords: e.NINES_USAGE_MAX_PENDING_RECORDS,
    },
  });
}
export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadIdentityConfig(env: Env = process.env) {
  const e = parse(
    {
      ...common,
      NINES_IDENTITY_PORT: port.default(8081),
      NINES_IDENTITY_DB: z.string().default('.nines/data/identity.db'),
      NINES_ADMIN_TOKEN: secret,
      NINES_SERVICE_TOKEN: secret,
      NINES_TENANT_DEFAULT_RATE: posInt.default(200),
      NINES_TENANT_DEFAULT_BURST: posInt.default(400),
    },
    env,
  );
  return deepFreeze({
    logLevel: e.NINES_LOG_LEVEL,
    host: e.NINES_HOST,
    port: e.NINES_IDENTITY_PORT,
    dbPath: e.NINES_IDENTITY_DB,
    adminToken: e.NINES_ADMIN_TOKEN,
    serviceToken: e.NINES_SERVICE_TOKEN,
    tenantDefaults: { ratePerSec: e.NINES_TENANT_DEFAULT_RATE, burst: e.NINES_TENANT_DEFAULT_BURST },
  });
}
export type IdentityConfig = ReturnType<typeof loadIdentityConfig>;

export function loadUsageConfig(env: Env = process.env) {
  const e = parse(
    {
      ...common,
      ...mqttClient,
      NINES_USAGE_PORT: port.default(8082),
      NINES_USAGE_DB: z.string().default('.nines/data/usage.db'),
      NINES_SERVICE_TOKEN: secret,
    },
    env,
  );
  return deepFreeze({
    logLevel: e.NINES_LOG_LEVEL,
    host: e.NINES_HOST,
    port: e.NINES_USAGE_PORT,
    brokers: brokerSources(e),
    mqttSecret: e.NINES_MQTT_SECRET,
    id: e.NINES_INSTANCE_ID,
    dbPath: e.NINES_USAGE_DB,
    serviceToken: e.NINES_SERVICE_TOKEN,
  });
}
export type UsageConfig = ReturnType<typeof loadUsageConfig>;
