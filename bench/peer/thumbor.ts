/**
 * thumbor (MIT, PyPI), the resizer a user would pick instead of nines, installed into a
 * venv under .tools/ at a pinned version and started on loopback with
 * bench/peer/thumbor.conf.tmpl: the file loader, no storage, quality 80.
 *
 * N processes are N thumbor servers on N ports, not one server with `--processes N`: its
 * forked children share one listening socket, and the kernel handed the client's 8
 * keep-alive connections to one child (measured: 0.95-1.0 cores busy of 2). The bench
 * deals its connections out among the ports, as a balancer in front of them would.
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
  ports: number[];
  pids: number[];
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

/** One thumbor server on a free loopback port, in its own process group. */
async function startOne(conf: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(bin, ['-p', String(port), '-i', '127.0.0.1', '-c', conf, '-l', 'error'], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  await waitHealthy(port, child);
  return { port, child };
}

async function stopOne(child: ChildProcess): Promise<void> {
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
}

/** Starts `processes` thumbor servers serving `imagesDir`. */
export async function startThumbor(imagesDir: string, processes: number): Promise<Thumbor> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-thumbor-'));
  const conf = join(dir, 'thumbor.conf');
  writeFileSync(conf, readFileSync(join(repoRoot, 'bench', 'peer', 'thumbor.conf.tmpl'), 'utf8').replaceAll('@IMAGES@', imagesDir));
  const servers: Array<{ port: number; child: ChildProcess }> = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startOne(conf));
  } catch (err) {
    await Promise.all(servers.map((s) => stopOne(s.child)));
    throw err;
  }
  return {
    ports: servers.map((s) => s.port),
    pids: servers.map((s) => s.child.pid!),
    path: (file, width, fit = false) => `/unsafe/${fit ? 'fit-in/' : ''}${width}x${fit ? 10000 : 0}/${file}`,
    stop: async () => void (await Promise.all(servers.map((s) => stopOne(s.child)))),
  };
}
