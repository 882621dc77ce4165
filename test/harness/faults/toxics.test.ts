/**
 * Every network fault kind against a real Toxiproxy in front of a real HTTP server: each
 * toxic is applied where the scenario says, has its effect, and heals — one by one and all
 * at once in teardown.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startToxiproxy, type ToxiproxyServer } from '../../../harness/stack/toxiproxy.ts';
import { FaultInjector } from '../../../harness/faults/apply.ts';
import type { SystemUnderTest } from '../../../harness/model/system-under-test.ts';
import type { FaultSpec } from '../../../harness/model/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-toxics-'));
let tp: ToxiproxyServer;
let server: Server;
let listen = '';

before(async () => {
  server = createServer((_req, res) => res.end('x'.repeat(10_000)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  tp = await startToxiproxy(dir);
  listen = (await tp.proxy('api-b1', `127.0.0.1:${(server.address() as AddressInfo).port}`)).listen;
});
after(async () => {
  await tp?.stop();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The one piece of a topology the injector needs here: which proxy carries a path. */
const sut = (): SystemUnderTest =>
  ({
    kind: 'ha',
    toxiproxy: tp,
    proxiesFor: async () => ['api-b1'],
    resolve: async () => {
      throw new Error('no processes in this test');
    },
  }) as unknown as SystemUnderTest;

const get = async (timeoutMs = 3000) => {
  const started = performance.now();
  try {
    const r = await fetch(`http://${listen}/`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await r.text();
    return { ok: true, ms: performance.now() - started, bytes: body.length };
  } catch (err) {
    return { ok: false, ms: performance.now() - started, error: (err as Error).name };
  }
};

const toxicsNow = async () => (await (await fetch(`${tp.url}/proxies/api-b1/toxics`)).json()) as Array<{ type: string }>;

test('latency with jitter delays every response, and heals', async () => {
  const f = new FaultInjector(sut());
  const heal = await f.start('latency', { kind: 'toxic', path: 'api-leader', toxic: 'latency', attributes: { latency: 300, jitter: 50 } });
  const slow = await get();
  assert.ok(slow.ok && slow.ms >= 240, `took ${slow.ms} ms`);
  await heal();
  assert.deepEqual(await toxicsNow(), []);
  const fast = await get();
  assert.ok(fast.ok && fast.ms < 240, `took ${fast.ms} ms after healing`);
});

test('a partition refuses connections until healed', async () => {
  const f = new FaultInjector(sut());
  await f.start('partition', { kind: 'partition', path: 'api-leader' });
  assert.equal((await get(1000)).ok, false);
  await f.healAll();
  assert.equal((await get()).ok, true);
});

test('every toxic kind is applied to the path and removed by healAll', async () => {
  const kinds: Array<Extract<FaultSpec, { kind: 'toxic' }>> = [
    { kind: 'toxic', path: 'api-leader', toxic: 'bandwidth', attributes: { rate: 100 } },
    { kind: 'toxic', path: 'api-leader', toxic: 'slow_close', attributes: { delay: 100 } },
    { kind: 'toxic', path: 'api-leader', toxic: 'timeout', stream: 'upstream', attributes: { timeout: 100 } },
    { kind: 'toxic', path: 'api-leader', toxic: 'reset_peer', stream: 'upstream', attributes: { timeout: 50 } },
    { kind: 'toxic', path: 'api-leader', toxic: 'slicer', attributes: { average_size: 64, size_variation: 16, delay: 10 } },
    { kind: 'toxic', path: 'api-leader', toxic: 'limit_data', attributes: { bytes: 100 } },
  ];
  const f = new FaultInjector(sut());
  for (const k of kinds) await f.start(k.toxic, k);
  assert.deepEqual((await toxicsNow()).map((t) => t.type).sort(), kinds.map((k) => k.toxic).sort());
  // With reset_peer and timeout upstream, a request cannot succeed.
  assert.equal((await get(1500)).ok, false);
  await f.healAll();
  assert.deepEqual(await toxicsNow(), []);
  assert.equal((await get()).ok, true);
});

test('limit_data cuts a response short', async () => {
  const f = new FaultInjector(sut());
  await f.start('limit', { kind: 'toxic', path: 'api-leader', toxic: 'limit_data', attributes: { bytes: 200 } });
  try {
    const r = await get();
    assert.ok(!r.ok || (r.bytes ?? 0) < 10_000, 'the response did not arrive whole');
  } finally {
    await f.healAll();
  }
});
