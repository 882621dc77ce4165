/**
 * Running the infrastructure-as-code tools the setup script installs (.tools/bin: tofu,
 * tflint, checkov) over terraform/, offline: tofu reads our own CLI config (the machine's
 * TF_CLI_CONFIG_FILE names a file that does not exist) and keeps its working data in a temp
 * dir, so nothing is written into the repository.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { repoRoot } from '../../harness/stack/process.ts';

export const terraformDir = join(repoRoot, 'terraform');

/** The path of a tool the setup script installs; a missing one fails, naming the command that installs it. */
export function tool(name: 'tofu' | 'tflint' | 'checkov'): string {
  const p = join(repoRoot, '.tools', 'bin', name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run 'bash scripts/setup-tools.sh' (npm test runs it)`);
  return p;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` to its end (bounded by `timeoutMs`) and returns its exit code and output. */
export function run(cmd: string, args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Environment for tofu: our CLI config, a temp data dir removed after the test, no colour, no prompts. */
export function tofuEnv(t: TestContext): Record<string, string> {
  const data = mkdtempSync(join(tmpdir(), 'nines-tofu-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  return { TF_CLI_CONFIG_FILE: join(terraformDir, 'tofu.rc'), TF_DATA_DIR: data, TF_IN_AUTOMATION: '1', NO_COLOR: '1', CHECKPOINT_DISABLE: '1' };
}

/** `tofu <args>` in `cwd`; rejects with its output when it exits non-zero. */
export async function tofu(t: TestContext, cwd: string, args: string[], env = tofuEnv(t)): Promise<string> {
  const r = await run(tool('tofu'), [...args, '-no-color'], { cwd, env });
  if (r.code !== 0) throw new Error(`tofu ${args.join(' ')} in ${cwd} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
