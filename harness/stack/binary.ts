/**
 * A non-Node process of the topology (Consul, Toxiproxy, HAProxy): started with its output
 * in a log file, ready when a probe says so, stoppable, killable, pausable.
 */
import { Lifecycle } from './lifecycle.ts';
import { pollUntil } from './poll.ts';

export interface BinarySpec {
  name: string;
  command: string;
  args: string[];
  /** The whole environment of the process (default: this one's). */
  env?: NodeJS.ProcessEnv;
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
    const child = this.spawnLogged(this.spec.command, this.spec.args, this.spec.logFile, { env: this.spec.env });
    try {
      await pollUntil(
        async () => {
          if (!this.running) throw new Error(`${this.spec.name} exited during start; see ${this.spec.logFile}`);
          return (await this.spec.ready().catch(() => false)) || undefined;
        },
        { timeoutMs: this.spec.readyTimeoutMs ?? 30_000, what: `${this.spec.name} ready (see ${this.spec.logFile})` },
      );
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }
}
