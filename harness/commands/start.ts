/**
 * `nines start`: the whole stack on the embedded default topology (one broker, identity,
 * usage, workers, api; no Consul), a demo tenant, and a curl line that works. Ctrl-C stops
 * every process cleanly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultWorkerConcurrency } from '../../system/lib/config.ts';
import sharp from 'sharp';
import { positive, type Command } from './types.ts';
import { startLocalStack } from '../stack/local-stack.ts';
import { startDashboard } from '../../dashboards/web/server.ts';
import { AdminClient } from '../../system/identity/admin-client.ts';
import { AdminApiError } from '../../system/identity/errors.ts';

const help = `nines start — run the whole stack locally, each component in its own process

Usage: nines start [--port 8080] [--admin-port 8081] [--prometheus-port 9090] [--scrape-interval 15] [--dashboard-port 8090] [--workers 1] [--concurrency N] [--dir .nines]

Options:
  --port N          api port (default 8080; 0 picks a free one)
  --admin-port N    identity admin API port (default 8081; 0 picks a free one)
  --prometheus-port N  Prometheus, scraping every process with the SLO rules of
                    dashboards/prometheus/ (default 9090; 0 picks a free one); its data in DIR/prometheus
  --scrape-interval S  how often Prometheus scrapes and evaluates the rules (default 15 s,
                    the interval of Prometheus's example configuration; the whole idle stack
                    then costs 4–5.5 ms of CPU a second, see bench/RESULTS.md; scenarios scrape
                    every 1 s). Prometheus does not scrape itself here.
  --dashboard-port N   the SLA page over that Prometheus and ./runs (nines dashboard; default 8090)
  --workers N       worker processes (default 1)
  --concurrency N   jobs in flight per worker (default: the machine's cores + 1, ${defaultWorkerConcurrency()} here:
                    the extra job fills the gaps while others fetch or hand back; bench/RESULTS.md).
                    --workers <cores> --concurrency 1 resizes ~3 % more in a closed loop, but
                    one worker sharing its queue sustains ~7 % more within the p99 SLA
                    (bench/RESULTS.md)
  --dir DIR         data and logs (default .nines); .nines/demo.json is written here
  --log-level L     service log level (default info); logs go to DIR/logs/<process>.log

Example:
  npm start                       # same as: nines start
  nines start --port 0 --admin-port 0 --workers 2

Writes DIR/demo.json: { "apiUrl", "apiKey", "adminUrl", "adminToken" }. Stop with Ctrl-C.`;

/** A small picture to try the API on, so the printed curl line works on a fresh clone. */
async function writeSample(path: string): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#0b3d91"/><stop offset="1" stop-color="#f4a300"/></linearGradient></defs>
    <rect width="1600" height="1000" fill="url(#g)"/>
    <text x="800" y="560" font-size="220" text-anchor="middle" fill="white" font-family="sans-serif">nines</text></svg>`;
  await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toFile(path);
}

async function demoTenant(admin: AdminClient): Promise<{ tenantId: string; apiKey: string }> {
  try {
    const t = await admin.createTenant({ name: 'demo' });
    return { tenantId: t.tenantId, apiKey: t.apiKey };
  } catch (err) {
    // A previous run left the tenant in the database: give it a fresh key instead.
    if (!(err instanceof AdminApiError) || err.code !== 'ERR_TENANT_EXISTS') throw err;
    const existing = (await admin.listTenants()).find((t) => t.name === 'demo');
    if (!existing) throw err;
    const k = await admin.createKey(existing.tenantId);
    return { tenantId: existing.tenantId, apiKey: k.apiKey };
  }
}

export const command: Command = {
  name: 'start',
  summary: 'run the whole stack locally and print a working curl example',
  help,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8080' },
        'admin-port': { type: 'string', default: '8081' },
        'prometheus-port': { type: 'string', default: '9090' },
        'scrape-interval': { type: 'string', default: '15' },
        'dashboard-port': { type: 'string', default: '8090' },
        workers: { type: 'string', default: '1' },
        concurrency: { type: 'string', default: String(defaultWorkerConcurrency()) },
        dir: { type: 'string', default: '.nines' },
        'log-level': { type: 'string', default: 'info' },
      },
    });
    const workers = positive('workers', values.workers, true)!;
    const concurrency = positive('concurrency', values.concurrency, true)!;
    const dir = resolve(values.dir);
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`nines: starting broker, identity, usage, ${workers} worker(s) with ${concurrency} job(s) in flight each, the api and Prometheus (logs in ${join(dir, 'logs')})…\n`);
    const stack = await startLocalStack({
      dir,
      apiPort: Number(values.port),
      identityPort: Number(values['admin-port']),
      workers,
      workerConcurrency: concurrency,
      logLevel: values['log-level'],
      prometheus: { port: Number(values['prometheus-port']), scrapeIntervalS: positive('scrape-interval', values['scrape-interval'], true), scrapeItself: false },
    });
    // Runs made beside a running stack (`nines scenario`, which writes ./runs) appear on its page.
    const dashboard = await startDashboard({ prometheusUrl: stack.prometheus!.url, runsDir: resolve('runs'), port: Number(values['dashboard-port']) });
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\nnines: ${signal}: stopping every process…\n`);
      await dashboard.close();
      await stack.stop();
      process.stderr.write('nines: stopped.\n');
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));

    const admin = new AdminClient({ adminUrl: stack.adminUrl, adminToken: stack.adminToken });
    const demo = await demoTenant(admin);
    const demoFile = join(dir, 'demo.json');
    writeFileSync(demoFile, JSON.stringify({ apiUrl: stack.apiUrl, apiKey: demo.apiKey, adminUrl: stack.adminUrl, adminToken: stack.adminToken }, null, 2) + '\n', { mode: 0o600 });
    const sample = join(dir, 'sample.jpg');
    await writeSample(sample);
    console.log(`
nines is running.

  api      ${stack.apiUrl}   (OpenAPI: ${stack.apiUrl}/openapi.json)
  admin    ${stack.adminUrl}
  metrics  ${stack.prometheus!.url}   (Prometheus: targets ${stack.prometheus!.url}/targets, SLO alerts ${stack.prometheus!.url}/alerts)
  sla      ${dashboard.url}/   (the SLA page: SLOs, error budget, chaos history of ./runs)
  tenant   ${demo.tenantId} (demo)
  api key  ${demo.apiKey}
  written  ${demoFile}

Resize the sample image to 320 px wide WebP:

  curl -sS -H 'Authorization: Bearer ${demo.apiKey}' -H 'Content-Type: image/jpeg' \\
    --data-binary @${sample} '${stack.apiUrl}/v1/resize?width=320&format=webp' -o resized.webp

Your usage so far:

  curl -sS -H 'Authorization: Bearer ${demo.apiKey}' '${stack.apiUrl}/v1/usage'

Ctrl-C stops everything.`);
    await new Promise(() => undefined); // run until a signal
    return 0;
  },
};
