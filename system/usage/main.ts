/**
 * The usage service process. Only wires: config -> store -> MQTT client -> consumer ->
 * HTTP app -> listen, and closes them in the reverse order of what depends on what.
 */
import { loadUsageConfig } from '../lib/config.ts';
import { listen } from '../lib/http/server.ts';
import { connectShards } from '../lib/bus.ts';
import { runService } from '../lib/service.ts';
import { topics } from '../lib/topics.ts';
import { buildUsageApp } from './app.ts';
import { startConsumer } from './consumer.ts';
import { openStore } from './store.ts';

await runService({
  name: 'usage',
  loadConfig: () => loadUsageConfig(),
  async start(config, log, registry) {
    const store = openStore(config.dbPath, { synchronous: 'FULL' });
    // Api servers send a batch through whichever queue shard they reach, so we take batches
    // from every shard and ack each on the shard it came through.
    const clients = connectShards(config.brokers, {
      role: 'usage',
      id: config.id,
      secret: config.mqttSecret,
      log: log.child({ module: 'mqtt' }),
      subscriptions: [topics.usageBatches],
    });
    const consumer = startConsumer({ clients, store, log, registry });
    const app = buildUsageApp({ config, store, log, registry });
    const http = await listen(app, config.host, config.port);
    return {
      info: { port: http.port, url: http.url },
      async close() {
        // Stop taking batches first: an unacked batch is resent to whoever runs next.
        consumer.stop();
        await Promise.all(clients.map((c) => c.endAsync()));
        await http.close();
        store.close();
      },
    };
  },
});
