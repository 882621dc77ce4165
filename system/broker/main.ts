import { runService } from '../lib/service.ts';
import { loadBrokerConfig } from '../lib/config.ts';
import { startBroker } from './app.ts';

await runService({
  name: 'broker',
  loadConfig: loadBrokerConfig,
  metricLabels: (config) => ({ shard: String(config.shard) }),
  async start(config, log, registry) {
    const b = await startBroker(config, log, registry);
    return { info: { mqttPort: b.mqttPort, httpPort: b.httpPort }, close: b.close };
  },
});
