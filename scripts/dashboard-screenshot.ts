// Regenerates dashboards/web/screenshot.png, the README's picture of the SLA page: two
// quick stored runs, a stack with Prometheus that serves, then fails (no worker) and
// recovers, and the page in Debian's Chromium. About 2 minutes.
//   node --import tsx scripts/dashboard-screenshot.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, fixturesDir, resizeReq, startTestStack } from '../test/helpers/stack.ts';
import { launchChromium } from '../test/dashboards/sla-page.ts';
import { startDashboard } from '../dashboards/web/server.ts';
import { runScenario } from '../harness/scenario/run.ts';
import { loadScenario } from '../harness/scenario/catalog.ts';
import { repoRoot } from '../harness/stack/process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = mkdtempSync(join(tmpdir(), 'nines-screenshot-'));
try {
  for (const name of ['smoke', 'worker-crash']) await runScenario({ scenario: await loadScenario(name), out, fixturesDir, quick: true });
  const s = await startTestStack({ prometheus: true, env: { api: { NINES_API_DEADLINE_MS: '1000' } } });
  try {
    await sleep(5000);
    const body = fixture('flowers.jpeg');
    const pairs = async (n: number) => {
      for (let i = 0; i < n; i++) await Promise.all([resizeReq(s, body), resizeReq(s, body), sleep(400)]);
    };
    await pairs(60);
    await s.workers[0]!.stop();
    for (let i = 0; i < 6; i++) await Promise.all([resizeReq(s, body), sleep(1500)]);
    await s.addWorker();
    await pairs(40);
    await sleep(6000);
    const d = await startDashboard({ prometheusUrl: s.prometheus!.url, runsDir: join(out, 'runs') });
    const b = await launchChromium();
    const p = await b.newPage({ viewport: { width: 1280, height: 1400 } });
    await p.goto(`${d.url}/`);
    await p.selectOption('#range', '15m');
    await sleep(2000);
    await p.screenshot({ path: join(repoRoot, 'dashboards', 'web', 'screenshot.png') });
    await b.close();
    await d.close();
  } finally {
    await s.dispose();
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
