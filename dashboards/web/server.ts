/**
 * Starts the SLA dashboard: bundles the page, then serves it with its JSON API on
 * host:port (port 0 picks a free one). Used by `nines dashboard`, `nines start` and the tests.
 */
import { listen } from '../../system/lib/http/server.ts';
import { createLogger, type Logger } from '../../system/lib/logger.ts';
import { dashboardApp } from './app.ts';
import { buildPage } from './bundle.ts';

export interface DashboardServerOptions {
  prometheusUrl: string;
  runsDir: string;
  port?: number;
  host?: string;
  log?: Logger;
}

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(o: DashboardServerOptions): Promise<DashboardServer> {
  const log = o.log ?? createLogger('dashboard', 'warn');
  const app = dashboardApp({ prometheusUrl: o.prometheusUrl, runsDir: o.runsDir, page: await buildPage(), log });
  const l = await listen(app, o.host ?? '127.0.0.1', o.port ?? 0);
  return { url: l.url, close: () => l.close() };
}
