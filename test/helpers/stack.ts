/**
 * Test helpers over the real local stack: every process real, on loopback, in a temp dir
 * that is removed afterwards; a tenant created through the real admin API.
 */
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../harness/stack/local-stack.ts';
import { defaultFixturesDir } from '../../harness/stack/process.ts';
import { AdminClient } from '../../system/identity/admin-client.ts';
import { pollUntil } from '../../harness/stack/poll.ts';

export const fixturesDir = defaultFixturesDir();

export function fixture(name: string): Buffer {
  const p = join(fixturesDir, name);
  if (!existsSync(p)) throw new Error(`fixture ${p} is missing: the tests need ../shared/fixtures/images beside the repo (or NINES_FIXTURES)`);
  return readFileSync(p);
}

export interface TestStack extends LocalStack {
  apiKey: string;
  tenantId: string;
  admin: AdminClient;
  /** Stops every process and removes the stack's directory. */
  dispose(): Promise<void>;
}

/** Starts a stack with one tenant; call `dispose()` in an `after` hook. */
export async function startTestStack(opts: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-test-'));
  const cleanup = () => {
    if (!process.env.NINES_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  };
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ dir, logLevel: 'info', ...opts });
  } catch (err) {
    process.stderr.write(`stack logs kept in ${dir}/logs\n`);
    throw err;
  }
  const admin = new AdminClient({ adminUrl: stack.adminUrl, adminToken: stack.adminToken });
  const tenant = await admin.createTenant({ name: `t-${Date.now()}` });
  return Object.assign(stack, {
    apiKey: tenant.apiKey,
    tenantId: tenant.tenantId,
    admin,
    async dispose() {
      await stack.stop();
      cleanup();
    },
  });
}

export interface ResizeOptions {
  query?: string;
  contentType?: string | null;
  key?: string | null;
}

/** POSTs a body to /v1/resize with the stack's key unless told otherwise. */
export async function resizeReq(s: TestStack, body: Buffer | undefined, o: ResizeOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = o.key === undefined ? s.apiKey : o.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const ct = o.contentType === undefined ? 'application/octet-stream' : o.contentType;
  if (ct !== null) headers['content-type'] = ct;
  return fetch(`${s.apiUrl}/v1/resize?${o.query ?? 'width=64'}`, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer> | undefined });
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/** Reads a problem+json response, checking its media type and that `status` matches. */
export async function problemOf(r: Response): Promise<ProblemBody> {
  const ct = r.headers.get('content-type') ?? '';
  if (!ct.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${r.status} ${ct}`);
  const p = (await r.json()) as ProblemBody;
  if (p.status !== r.status) throw new Error(`problem status ${p.status} != HTTP ${r.status}`);
  return p;
}

/** Polls until `check` returns a value (not undefined) or the bound passes. */
export const eventually = <T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> =>
  pollUntil(check, { timeoutMs, everyMs, what: 'condition' });
