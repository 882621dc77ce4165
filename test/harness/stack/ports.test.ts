import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { freePort } from '../../../harness/stack/ports.ts';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

test('freePort: concurrent callers get distinct ports below the ephemeral range, each bindable', async () => {
  const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
  assert.equal(new Set(ports).size, ports.length, 'no port handed out twice');
  for (const p of ports) assert.ok(p >= 1024 && p < ephemeralLow, `${p} is below ${ephemeralLow}`);
  // All of them at once, as a topology binds them: none is taken.
  const servers = await Promise.all(
    ports.map(
      (p) =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(p, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

test('freePort skips a port someone else holds', async () => {
  const first = await freePort();
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(first, '127.0.0.1', () => r()));
  try {
    const more = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    assert.ok(!more.includes(first));
  } finally {
    await new Promise((r) => holder.close(r));
  }
});
