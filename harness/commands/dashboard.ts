/**
 * `nines dashboard`: the stakeholders' SLA page (dashboards/web/) over a Prometheus and the
 * stored scenario runs, until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Command } from './types.ts';
import { startDashboard } from '../../dashboards/web/server.ts';

const help = `nines dashboard — the SLA page: SLO cards, error budget burn-down, latency, chaos history

Usage: nines dashboard [--prometheus URL] [--runs DIR] [--port N] [--host H]

Options:
  --prometheus URL  the Prometheus with the SLO recording rules (default http://127.0.0.1:9090,
                    where 'nines start' runs it)
  --runs DIR        the stored runs, DIR/<scenario>/<time>/report.json (default ./runs, where
                    'nines scenario' writes)
  --port N          port to serve on (default 8090; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1)

Examples:
  nines dashboard                                  # beside a running 'npm start'
  nines dashboard --prometheus http://10.0.0.5:9090 --runs /srv/nines/runs --port 0

The page refreshes itself every 15 s. JSON behind it: /api/overview, /api/burndown?range=1h,
/api/latency?range=1h, /api/runs (ranges 15m 1h 6h 1d 7d 30d).`;

export const command: Command = {
  name: 'dashboard',
  summary: 'serve the SLA page over Prometheus and the stored runs',
  help,
  async run(argv) {
    let values: Record<string, string | undefined>;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          prometheus: { type: 'string', default: 'http://127.0.0.1:9090' },
          runs: { type: 'string', default: 'runs' },
          port: { type: 'string', default: '8090' },
          host: { type: 'string', default: '127.0.0.1' },
        },
      }));
    } catch (err) {
      console.error(`nines dashboard: ${(err as Error).message}\n\n${help}`);
      return 2;
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      console.error(`nines dashboard: --port takes 0..65535, not '${values.port}'`);
      return 2;
    }
    try {
      new URL(values.prometheus!);
    } catch {
      console.error(`nines dashboard: --prometheus takes a URL such as http://127.0.0.1:9090, not '${values.prometheus}'`);
      return 2;
    }
    const d = await startDashboard({ prometheusUrl: values.prometheus!, runsDir: resolve(values.runs!), port, host: values.host! });
    console.log(`nines dashboard: ${d.url}/  (Prometheus ${values.prometheus}, runs in ${resolve(values.runs!)})`);
    await new Promise<void>((done) => {
      const stop = () => void d.close().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
