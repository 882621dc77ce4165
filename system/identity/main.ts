/**
 * The identity service process: config → logger → registry (runService) → store → app →
 * listen. Closing answers held snapshot requests first so the server can drain, then
 * closes the server, then the store the last requests read from.
 */
import { runService } from '../lib/service.ts';
import { loadIdentityConfig } from '../lib/config.ts';
import { listen } from '../lib/http/server.ts';
import { buildIdentityApp } from './app.ts';
import { IdentityStore } from './store.ts';

await runService({
  name: 'identity',
  loadConfig: () => loadIdentityConfig(),
  async start(config, log, registry) {
    const store = IdentityStore.open({ path: config.dbPath, log: log.child({ module: 'store' }) });
    const { app, close: closeApp } = buildIdentityApp({ config, store, log, registry });
    let server;
    try {
      server = await listen(app, config.host, config.port);
    } catch (err) {
      closeApp();
      store.close();
      throw err;
    }
    return {
      info: { port: server.port, url: server.url },
      async close() {
        closeApp();
        await server.close();
        store.close();
      },
    };
  },
});
