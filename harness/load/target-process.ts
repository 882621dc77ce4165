/** Starts target-server.ts in a child process, for the engine's tests and benchmark. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

export interface TargetOptions {
  stallAfter?: number;
  stallMs?: number;
  failEvery?: number;
  delayMs?: number;
}

export interface Target {
  port: number;
  url: string;
  pid: number;
  /** Stops the server and waits for its exit. */
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./target-server.ts', import.meta.url));

/** Spawns the trivial target server on a free loopback port; resolves once it listens. */
export async function startTarget(o: TargetOptions = {}): Promise<Target> {
  const args = ['--import', 'tsx', script, '--exit-on-stdin-close'];
  if (o.stallAfter) args.push('--stall-after', String(o.stallAfter), '--stall-ms', String(o.stallMs ?? 1000));
  if (o.failEvery) args.push('--fail-every', String(o.failEvery));
  if (o.delayMs) args.push('--delay-ms', String(o.delayMs));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('target server did not start within 15 s')), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`target server exited with code ${code} before listening`));
    });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
