/**
 * Ports for processes the harness starts and must tell their port in advance (brokers
 * behind Toxiproxy, Consul, proxies, HAProxy).
 *
 * Binding port 0 and releasing it is not enough: the kernel takes such a port from the
 * ephemeral range (32768–60999 here), the same range every outgoing connection's local
 * port comes from, and the same port can come back from the next port-0 bind before the
 * first process has bound it. A topology allocates some twenty ports before it starts
 * anything; a broker then failed with EADDRINUSE in CI because a proxy or a connection had
 * taken its port in between. So ports come from below the ephemeral range, are checked by
 * binding, and are never handed out twice by one process.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';

const handedOut = new Set<number>();

/** [first, last] of the range we pick from: below the kernel's ephemeral ports (read once). */
const [first, last] = ((): [number, number] => {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // not Linux: keep the IANA-ish default
  }
  return [Math.max(1024, ephemeralLow - 12_000), ephemeralLow - 1];
})();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that is free now, outside the ephemeral range, and new to this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // reserved before the await, so a concurrent caller cannot pick it too
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${first}-${last} after 200 tries`);
}
