/**
 * The lifecycle every process of a topology shares, whatever it runs: spawned with its
 * output appended to a log file, then stopped (SIGTERM, SIGKILL after a grace), killed
 * (the crash fault), paused and resumed (SIGSTOP/SIGCONT: the brownout fault).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export abstract class Lifecycle {
  protected child: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  abstract start(): Promise<unknown>;

  /** Spawns `command` with stdout and stderr appended to `logFile`. */
  protected spawnLogged(command: string, args: string[], logFile: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; ipc?: boolean } = {}): ChildProcess {
    mkdirSync(dirname(logFile), { recursive: true });
    const fd = openSync(logFile, 'a');
    const stdio: StdioOptions = opts.ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd];
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio });
    closeSync(fd);
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    return child;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGCONT'); // a paused process cannot handle SIGTERM
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** SIGKILL: the crash fault. */
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
