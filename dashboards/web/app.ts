/**
 * The dashboard's HTTP app, built without listening (tests start it on port 0): the page,
 * its bundled script and style, the JSON API over Prometheus and the run folders, and the
 * runs' own report files. Every JSON answer is encoded through its schema in schema.ts.
 */
import express, { type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../system/lib/logger.ts';
import { NotFoundError, problemHandler } from '../../system/lib/http/problem.ts';
import { BadQueryError, RunFileNotFoundError } from './errors.ts';
import { PrometheusClient, PrometheusError } from './prometheus.ts';
import { readSlos } from './slo-cards.ts';
import { readBurndown, readLatency, frame } from './series.ts';
import { listRuns, SEGMENT } from './runs.ts';
import { burndown, chartQuery, latency, overview, runsList, type RangeName } from './schema.ts';
import type { PageAssets } from './bundle.ts';

export interface DashboardOptions {
  prometheusUrl: string;
  runsDir: string;
  page: PageAssets;
  log: Logger;
}

const noParams = z.strictObject({});

/** Decodes the query string through `schema`, or throws the 400 that lists every problem. */
function queryOf<T extends z.ZodType>(req: Request, schema: T): z.infer<T> {
  const r = schema.safeParse({ ...(req.query as object) });
  if (!r.success) throw new BadQueryError(r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
  return r.data;
}

const send = <T extends z.ZodType>(res: Response, schema: T, value: z.infer<T>) => res.type('application/json').send(JSON.stringify(schema.parse(value)));

/** The files of a run folder the dashboard serves (the report links its raw data). */
const RUN_FILES = new Set(['report.html', 'report.json', 'history.jsonl']);

export function dashboardApp(o: DashboardOptions): express.Express {
  const prom = new PrometheusClient(o.prometheusUrl);
  const down = (err: unknown) => {
    if (!(err instanceof PrometheusError)) throw err;
    return { url: o.prometheusUrl, up: false, error: err.message };
  };
  const up = { url: o.prometheusUrl, up: true };
  const app = express();
  app.disable('x-powered-by');

  app.get('/', (_req, res) => void res.type('html').set('Cache-Control', 'no-cache').send(o.page.html));
  app.get('/app.js', (req, res) => {
    res.type('text/javascript').vary('Accept-Encoding');
    if (req.acceptsEncodings('gzip') === 'gzip') res.set('Content-Encoding', 'gzip').send(o.page.jsGzip);
    else res.send(o.page.js);
  });
  app.get('/app.css', (_req, res) => void res.type('text/css').send(o.page.css));
  // Browsers ask for it on every page, the runs' report.html included; an empty answer, not a 404.
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));

  app.get('/api/overview', async (req, res) => {
    queryOf(req, noParams);
    const at = Date.now() / 1000;
    try {
      send(res, overview, { at: new Date(at * 1000).toISOString(), prometheus: up, ...(await readSlos(prom, at)) });
    } catch (err) {
      send(res, overview, { at: new Date(at * 1000).toISOString(), prometheus: down(err), slos: [], alerts: [] });
    }
  });

  const chart = <S extends typeof burndown | typeof latency>(schema: S, read: (range: RangeName, now: number) => Promise<Omit<z.infer<S>, 'prometheus'>>) =>
    async (req: Request, res: Response) => {
      const { range } = queryOf(req, chartQuery);
      const now = Date.now() / 1000;
      try {
        send(res, schema, { prometheus: up, ...(await read(range, now)) } as z.infer<S>);
      } catch (err) {
        const empty = { prometheus: down(err), range, ...frame(range, now), series: [], faults: [] };
        send(res, schema, empty as z.infer<S>);
      }
    };
  app.get('/api/burndown', chart(burndown, (range, now) => readBurndown(prom, range, now)));
  app.get(
    '/api/latency',
    chart(latency, async (range, now) => {
      const data = await readLatency(prom, range, now);
      const faults = listRuns(o.runsDir).runs.flatMap((r) => r.faults.filter((f) => f.to >= data.start && f.from <= data.end).map((f) => ({ scenario: r.scenario, fault: f.name, from: f.from, to: f.to })));
      return { ...data, faults };
    }),
  );

  app.get('/api/runs', (req, res) => {
    queryOf(req, noParams);
    send(res, runsList, listRuns(o.runsDir));
  });

  app.get('/runs/:scenario/:stamp/:file', (req, res) => {
    const { scenario, stamp, file } = req.params;
    const path = join(o.runsDir, scenario, stamp, file);
    if (!SEGMENT.test(scenario) || !SEGMENT.test(stamp) || !RUN_FILES.has(file) || !existsSync(path)) throw new RunFileNotFoundError(req.path);
    res.sendFile(path, { dotfiles: 'deny', headers: { 'Cache-Control': 'no-cache' } });
  });

  app.use((req) => {
    throw new NotFoundError(req.path);
  });
  app.use(problemHandler(o.log));
  return app;
}
