/**
 * A non-Node process of the topology (Consul, Toxiproxy, HAProxy): started with its output
 * in a log file, ready when a probe says so, stoppable, killable, pausable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export interface BinarySpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** Resolves true once the process serves; polled until `readyTimeoutMs`. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export class BinaryProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();

  constructor(readonly spec: BinarySpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const fd = openSync(this.spec.logFile, 'a');
    const child = spawn(this.spec.command, this.spec.args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    const until = Date.now() + (this.spec.readyTimeoutMs ?? 30_000);
    while (Date.now() < until) {
      if (!this.running) throw new Error(`${this.spec.name} exited during start; see ${this.spec.logFile}`);
      if (await this.spec.ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`${this.spec.name} not ready after ${this.spec.readyTimeoutMs ?? 30_000} ms; see ${this.spec.logFile}`);
  }

  async stop(graceMs = 5000): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(t);
  }

  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
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
