import { runService } from '../lib/service.ts';
import { loadWorkerConfig } from '../lib/config.ts';
import { startWorker } from './app.ts';

await runService({
  name: 'worker',
  loadConfig: loadWorkerConfig,
  async start(config, log, registry) {
    const w = await startWorker(config, log, registry);
    return { info: { httpPort: w.httpPort, id: config.id, concurrency: config.concurrency }, close: w.close };
  },
});
