import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topics } from '../../../system/lib/topics.ts';
import type { UsageReport } from '../../../system/usage/types.ts';
import { apiSide, batch, record, tempDir } from './helpers.ts';
import { startBroker } from '../../helpers/mqtt.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'service-token-0123456789';

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

test('main.ts runs as a process: a published batch shows up in /internal/usage', { timeout: 60_000 }, async (t) => {
  const mq = await startBroker(t);
  const dir = tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'system/usage/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      NINES_BROKER_URL: mq.url,
      NINES_MQTT_SECRET: 'mqtt-secret-0123456789',
      NINES_SERVICE_TOKEN: TOKEN,
      NINES_USAGE_PORT: '0',
      NINES_USAGE_DB: join(dir, 'data', 'usage.db'),
      NINES_INSTANCE_ID: 'usage-test',
      NINES_LOG_LEVEL: 'info',
    },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  const ready = await new Promise<{ port: number; url: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`usage did not report ready:\n${output}`)), 30_000);
    child.on('message', (m: { type?: string; port?: number; url?: string }) => {
      if (m.type === 'ready' && typeof m.port === 'number') {
        clearTimeout(timer);
        resolve({ port: m.port, url: m.url ?? `http://127.0.0.1:${m.port}` });
      }
    });
    child.once('exit', (code) => reject(new Error(`usage exited with ${code} before ready:\n${output}`)));
  });
  assert.ok(ready.port > 0);

  // Ready means listening on HTTP; the MQTT subscription follows its own connect.
  await mq.subscribed(topics.usageBatches);
  const api = await apiSide(t, mq.url, 'api-e2e');
  await api.publish(batch('e2e-1', [record({ tenantId: 'e2e' }), record({ tenantId: 'e2e', status: 500 })], 'api-e2e'));
  await api.acked('e2e-1');

  const res = await fetch(
    `${ready.url}/internal/usage?tenantId=e2e&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z`,
    { headers: { authorization: `Bearer ${TOKEN}` } },
  );
  assert.equal(res.status, 200);
  const rep = (await res.json()) as UsageReport;
  assert.equal(rep.totals.requests, 2);
  assert.equal(rep.totals.failed, 1);
  assert.deepEqual(rep.hours.map((h) => h.hour), ['2026-11-26T04:00:00.000Z']);

  // SIGTERM closes MQTT, HTTP and the store, and exits cleanly.
  child.kill('SIGTERM');
  assert.equal(await exited(child), 0, output);
});
