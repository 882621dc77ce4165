/**
 * One real process of the system under test: a service's main.ts, built ahead of time into
 * dist/ (scripts/build.mjs; rebuilt first when a source changed) and run as the deployment
 * runs it, its output
 * appended to a log file, its readiness learned over IPC (`{ type: 'ready', ...info }`).
 * It can be stopped (SIGTERM, then SIGKILL), killed, paused and resumed (SIGSTOP/SIGCONT),
 * and restarted with the same settings.
 */
import { dirname, join } from 'node:path';
import { Lifecycle } from './lifecycle.ts';
import { fileURLToPath } from 'node:url';
import { build, builtPath, entries, serviceNodeFlags } from '../../scripts/build.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The test images: $NINES_FIXTURES, or ../shared/fixtures/images beside the repository. */
export const defaultFixturesDir = (): string => process.env.NINES_FIXTURES ?? join(repoRoot, '..', 'shared', 'fixtures', 'images');

/** The build, checked once per harness process: a stack starts many processes from it. */
let built: ReturnType<typeof build> | undefined;
const ensureBuilt = () => (built ??= build());

export interface ProcessSpec {
  /** Name in logs and errors, e.g. 'worker-1'. */
  name: string;
  /** Entry file relative to the repo root, one of scripts/build.mjs's entries, e.g. 'system/broker/main.ts'. */
  entry: string;
  env: Record<string, string>;
  logFile: string;
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] to profile a run. */
  nodeArgs?: string[];
}

export type ReadyInfo = Record<string, unknown>;

export class StartError extends Error {
  readonly code = 'ERR_PROCESS_START';
}

export class ManagedProcess extends Lifecycle {
  info: ReadyInfo = {};

  constructor(readonly spec: ProcessSpec) {
    super();
  }

  /** Starts the process and resolves with what it reported once ready. */
  async start(): Promise<ReadyInfo> {
    if (!entries.includes(this.spec.entry)) throw new StartError(`${this.spec.name}: ${this.spec.entry} is not a built entry (scripts/build.mjs)`);
    await ensureBuilt();
    const args = [...serviceNodeFlags, ...(this.spec.nodeArgs ?? []), builtPath(this.spec.entry)];
    const child = this.spawnLogged(process.execPath, args, this.spec.logFile, {
      cwd: repoRoot,
      env: { ...process.env, ...this.spec.env },
      ipc: true,
    });
    const timeoutMs = this.spec.readyTimeoutMs ?? 30_000;
    this.info = await new Promise<ReadyInfo>((resolve, reject) => {
      const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new StartError(`${this.spec.name} failed to start: ${why}; see ${this.spec.logFile}`));
      };
      const onExit = (code: number | null, signal: string | null) => fail(`exited with ${signal ?? code}`);
      child.once('exit', onExit);
      child.on('message', (m: { type?: string }) => {
        if (m?.type !== 'ready') return;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(m as ReadyInfo);
      });
    });
    return this.info;
  }

  async restart(): Promise<ReadyInfo> {
    await this.stop();
    return this.start();
  }
}

export const logPath = (dir: string, name: string) => join(dir, `${name}.log`);
