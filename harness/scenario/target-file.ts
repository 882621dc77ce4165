/**
 * `nines scenario <name> --target FILE`: a deployment nines did not start, named by a JSON
 * file, and which scenarios it can run. A deployment gives the harness its URLs and nothing
 * else: no control of its processes (no kill, pause or stop faults, no failover probe, no
 * broker logs for the split-brain check) and network faults only on paths its Toxiproxy
 * carries, as the file lists them. A scenario that needs more is refused before any load is
 * sent, saying what the target lacks.
 *
 * {
 *   "name": "example",                        // shown in the report
 *   "apiUrl": "https://nines.example.com",
 *   "adminUrl": "http://10.40.128.5:8081",
 *   "adminToken": "…", or "adminTokenEnv": "NINES_ADMIN_TOKEN" (read from the environment),
 *   "prometheusUrl": "http://10.40.160.7:9090", // optional; checked to answer /-/ready
 *   "toxiproxy": { "url": "http://…:8474", "proxies": { "worker-blobs": ["worker-blobs-a1"] } } // optional
 * }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FaultStep, PathTarget, Scenario } from '../model/scenario.ts';

export class TargetError extends Error {
  readonly code = 'ERR_TARGET';
}

const targetSchema = z
  .object({
    name: z.string().min(1).default('target'),
    apiUrl: z.url(),
    adminUrl: z.url(),
    adminToken: z.string().min(1).optional(),
    adminTokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    prometheusUrl: z.url().optional(),
    toxiproxy: z.object({ url: z.url(), proxies: z.record(z.string(), z.array(z.string().min(1)).min(1)) }).strict().optional(),
  })
  .strict()
  .refine((t) => (t.adminToken === undefined) !== (t.adminTokenEnv === undefined), { message: 'give adminToken or adminTokenEnv (one of them)' });

export type TargetFile = Omit<z.infer<typeof targetSchema>, 'adminTokenEnv' | 'adminToken'> & { adminToken: string };

/** Reads and decodes a target file; every problem is a TargetError naming the file. */
export function readTarget(path: string, env: NodeJS.ProcessEnv = process.env): TargetFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TargetError(`target file ${path}: ${(err as Error).message}`);
  }
  const r = targetSchema.safeParse(raw);
  if (!r.success) throw new TargetError(`target file ${path}: ${r.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  const { adminToken, adminTokenEnv, ...rest } = r.data;
  const token = adminToken ?? env[adminTokenEnv!];
  if (!token) throw new TargetError(`target file ${path}: the admin token is read from $${adminTokenEnv}, which is not set`);
  return { ...rest, adminToken: token };
}

/** Why `step` cannot run against `t`, or undefined when it can. */
function refusal(step: FaultStep, t: TargetFile): string | undefined {
  const f = step.fault;
  if ('target' in f) return `it ${f.kind}s the ${f.target}, and a target gives nines no control of its processes`;
  const path: PathTarget = f.path;
  if (path.includes('leader')) return `path ${path} follows the current leader broker, which only a topology nines started can resolve`;
  if (!t.toxiproxy) return `path ${path} needs Toxiproxy, and the target names none`;
  if (!t.toxiproxy.proxies[path]) return `path ${path} is not among the target's Toxiproxy proxies (${Object.keys(t.toxiproxy.proxies).join(', ') || 'none'})`;
  return undefined;
}

/** Refuses, before anything runs, a scenario whose faults or probes need what the target lacks. */
export function checkScenarioFitsTarget(sc: Scenario, t: TargetFile): void {
  const problems = sc.faults.flatMap((s) => {
    const why = refusal(s, t);
    return why ? [`fault '${s.name}': ${why}`] : [];
  });
  if (sc.probes?.includes('failover')) problems.push('the failover probe reads leader epochs from the topology nines started');
  if (problems.length) throw new TargetError(`scenario ${sc.name} cannot run against target ${t.name}: ${problems.join('; ')}`);
}
