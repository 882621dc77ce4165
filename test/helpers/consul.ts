/**
 * A real Consul cluster for one test, in its own temp dir, stopped and removed when the test
 * ends, after whatever the test deferred later (the dir is kept with NINES_KEEP_TEST_DIRS
 * set, for its logs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startConsulCluster, type ConsulCluster } from '../../harness/stack/consul-cluster.ts';
import { defer } from './defer.ts';

export async function startTestConsul(t: TestContext, size: number): Promise<ConsulCluster & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-consul-'));
  const consul = await startConsulCluster(join(dir, 'consul'), size).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  defer(t, async () => {
    await consul.stop();
    if (!process.env.NINES_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });
  return Object.assign(consul, { dir });
}
