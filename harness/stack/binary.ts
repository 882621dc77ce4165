/**
 * A non-Node process of the topology (Consul, Toxiproxy, HAProxy): started with its output
 * in a log file, ready when a probe says so, stoppable, killable, pausable.
 */
import { Lifecycle } from './lifecycle.ts';

export interface BinarySpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** Resolves true once the process serves; polled until `readyTimeoutMs`. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export class BinaryProcess extends Lifecycle {
  constructor(readonly spec: BinarySpec) {
    super();
  }

  async start(): Promise<void> {
    const child = this.spawnLogged(this.spec.command, this.spec.args, this.spec.logFile);
    const until = Date.now() + (this.spec.readyTimeoutMs ?? 30_000);
    while (Date.now() < until) {
      if (!this.running) throw new Error(`${this.spec.name} exited during start; see ${this.spec.logFile}`);
      if (await this.spec.ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`${this.spec.name} not ready after ${this.spec.readyTimeoutMs ?? 30_000} ms; see ${this.spec.logFile}`);
  }
}

/** A free TCP port on 127.0.0.1 (bound and released; fine for processes we start next). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as import('node:net').AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
