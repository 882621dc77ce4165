/**
 * thumbor (MIT, PyPI), the resizer a user would pick instead of nines, installed into a
 * venv under .tools/ at a pinned version and started as a process on loopback with
 * bench/peer/thumbor.conf.tmpl: the file loader, no storage, quality 80, `processes` forks.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../harness/stack/process.ts';
import { freePort } from '../../harness/stack/ports.ts';

export const THUMBOR_VERSION = '7.8.0';
const venv = join(repoRoot, '.tools', 'thumbor');
const bin = join(venv, 'bin', 'thumbor');

function installed(): string | undefined {
  if (!existsSync(bin)) return undefined;
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Installs thumbor at THUMBOR_VERSION into .tools/thumbor when it is missing or another version (~1.5 min). */
export function ensureThumbor(say: (s: string) => void): void {
  if (installed()?.includes(THUMBOR_VERSION)) return;
  say(`installing thumbor ${THUMBOR_VERSION} from PyPI into ${venv} …`);
  if (!existsSync(join(venv, 'bin', 'pip'))) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin', 'pip'), ['install', '-q', `thumbor==${THUMBOR_VERSION}`], { stdio: 'inherit' });
  if (!installed()?.includes(THUMBOR_VERSION)) throw new Error(`thumbor ${THUMBOR_VERSION} did not install into ${venv}`);
}

export interface Thumbor {
  port: number;
  pid: number;
  /** GET path for `file` resized to `width` px wide (`fit` keeps it inside width x a large height: thumbor's fast path). */
  path(file: string, width: number, fit?: boolean): string;
  stop(): Promise<void>;
}

async function waitHealthy(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`thumbor exited with ${child.exitCode} while starting`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthcheck`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`thumbor did not answer /healthcheck on ${port} within ${timeoutMs} ms`);
}

/** Starts thumbor serving `imagesDir` with `processes` processes on a free loopback port. */
export async function startThumbor(imagesDir: string, processes: number): Promise<Thumbor> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-thumbor-'));
  const conf = join(dir, 'thumbor.conf');
  writeFileSync(conf, readFileSync(join(repoRoot, 'bench', 'peer', 'thumbor.conf.tmpl'), 'utf8').replaceAll('@IMAGES@', imagesDir));
  const port = await freePort();
  // Its own process group: thumbor forks its workers, and a stop must reach them too.
  const child = spawn(bin, ['-p', String(port), '-i', '127.0.0.1', '-c', conf, '-l', 'error', '--processes', String(processes)], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  await waitHealthy(port, child);
  return {
    port,
    pid: child.pid!,
    path: (file, width, fit = false) => `/unsafe/${fit ? 'fit-in/' : ''}${width}x${fit ? 10000 : 0}/${file}`,
    async stop() {
      const group = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // the group is gone
        }
      };
      const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
      group('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      group('SIGKILL');
    },
  };
}
