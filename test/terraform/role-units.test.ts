/**
 * What the instances run is what is tested: terraform/modules/role renders each role's
 * cloud-init user data with a real `tofu apply` (offline, no provider), this test takes the
 * environment file and the systemd unit out of it, writes what the boot scripts would write
 * (the secrets SSM would hold, NINES_HOST from the instance), starts the unit's ExecStart
 * with exactly the environment systemd would give it (its EnvironmentFile lines, nothing
 * inherited but PATH) in its WorkingDirectory, and waits until the role is ready, on
 * loopback. The broker elects itself leader through a real Consul (harness helpers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../harness/stack/process.ts';
import { build, serviceNodeFlags } from '../../scripts/build.mjs';
import { freePort } from '../../harness/stack/ports.ts';
import { pollUntil } from '../../harness/stack/poll.ts';
import { startTestConsul } from '../helpers/consul.ts';
import { terraformDir, tofu, tofuEnv } from './tools.ts';

const roles = ['identity', 'broker', 'usage', 'worker', 'api'] as const;
type Role = (typeof roles)[number];

interface CloudConfig {
  write_files: Array<{ path: string; content: string; permissions: string }>;
  runcmd: string[][];
}

/** The #cloud-config document: comment lines, then JSON (which is YAML). */
function cloudConfig(userData: string): CloudConfig {
  assert.ok(userData.startsWith('#cloud-config\n'), 'user data must start with #cloud-config');
  return JSON.parse(userData.split('\n').filter((l) => !l.startsWith('#')).join('\n')) as CloudConfig;
}

/** `[Service]` keys of a unit file; EnvironmentFile may repeat. */
function unitService(unit: string): { execStart: string[]; workingDirectory: string; environmentFiles: string[] } {
  const lines = unit.split('\n').map((l) => l.trim());
  const values = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  return { execStart: values('ExecStart')[0]!.split(/\s+/), workingDirectory: values('WorkingDirectory')[0]!, environmentFiles: values('EnvironmentFile') };
}

/** An environment file as systemd reads it (KEY=VALUE lines; # comments). */
function envFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** The root module that renders every role with loopback addresses and this checkout as the install. */
function renderRoot(o: { consulUrl: string; ports: Record<string, number>; etc: string; data: string }): string {
  const cluster = {
    consul_urls: [o.consulUrl],
    queue_shards: 1,
    identity_url: `http://127.0.0.1:${o.ports.identity}`,
    usage_url: `http://127.0.0.1:${o.ports.usage}`,
    ports: o.ports,
  };
  const mod = (role: Role) =>
    `module "${role}" {\n  source      = ${JSON.stringify(join(terraformDir, 'modules', 'role'))}\n  role        = "${role}"\n  cluster     = jsondecode(${JSON.stringify(JSON.stringify(cluster))})\n` +
    (role === 'broker' ? `  broker      = { id = "b-test", shard = 0, advertise = "mqtt://127.0.0.1:${o.ports.mqtt}" }\n` : '') +
    `  install_dir = ${JSON.stringify(repoRoot)}\n  node_bin    = ${JSON.stringify(process.execPath)}\n  config_dir  = ${JSON.stringify(o.etc)}\n  data_dir    = ${JSON.stringify(o.data)}\n}\n` +
    `output "${role}" {\n  value = { user_data = module.${role}.user_data, secrets = module.${role}.secret_names }\n}\n`;
  return roles.map(mod).join('\n');
}

test('each role rendered by terraform/modules/role runs from its unit and becomes ready on loopback', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-role-units-'));
  const children = new Map<Role, ChildProcess>();
  t.after(async () => {
    await Promise.all([...children.values()].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : (c.once('exit', r), c.kill('SIGTERM'))))));
    if (!process.env.NINES_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });
  const consul = await startTestConsul(t, 1);
  const portNames = ['api', 'blob', 'identity', 'usage', 'mqtt', 'broker_http', 'worker_http'];
  const ports = Object.fromEntries(await Promise.all(portNames.map(async (n) => [n, await freePort()] as const)));
  const etc = join(dir, 'etc');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });

  // Render with tofu, as the deployment does.
  const root = join(dir, 'render');
  mkdirSync(root);
  writeFileSync(join(root, 'main.tf'), renderRoot({ consulUrl: consul.servers[0]!.httpUrl, ports, etc, data }));
  const env = tofuEnv(t);
  await tofu(t, root, ['init', '-input=false'], env);
  await tofu(t, root, ['apply', '-auto-approve', '-input=false'], env);
  const rendered = JSON.parse(await tofu(t, root, ['output', '-json'], env)) as Record<Role, { value: { user_data: string; secrets: string[] } }>;

  // The secrets SSM would hold: one value per name, shared by the roles that read it.
  const mqtt = { API: randomBytes(12).toString('hex'), WORKER: randomBytes(12).toString('hex'), USAGE: randomBytes(12).toString('hex') };
  const secretValue = (role: Role, name: string) =>
    name === 'NINES_MQTT_SECRET' ? mqtt[role.toUpperCase() as keyof typeof mqtt] : name.startsWith('NINES_MQTT_SECRET_') ? mqtt[name.slice(18) as keyof typeof mqtt] : `${name.toLowerCase()}-test`;

  // What the install script does after `npm ci`, before any unit starts: build the services.
  const installs = Object.values(rendered).map((r) => cloudConfig(r.value.user_data).write_files.find((f) => f.path === '/usr/local/sbin/nines-install')?.content ?? '');
  assert.ok(installs.every((script) => script.includes('node scripts/build.mjs')), 'every role\'s install builds the services');
  await build();

  const start = (role: Role) => {
    const cc = cloudConfig(rendered[role].value.user_data);
    assert.deepEqual(cc.runcmd.at(-1), ['systemctl', 'enable', '--now', `nines-${role}.service`]);
    for (const f of cc.write_files.filter((w) => w.path.startsWith(etc))) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.content);
    }
    const unit = unitService(cc.write_files.find((f) => f.path === `/etc/systemd/system/nines-${role}.service`)!.content);
    assert.deepEqual(unit.execStart.slice(1), [...serviceNodeFlags, join(repoRoot, 'dist', 'system', role, 'main.js')]);
    // What nines-fetch-secrets and nines-instance-env write at boot.
    writeFileSync(unit.environmentFiles.find((p) => p.endsWith('.secrets.env'))!, rendered[role].value.secrets.map((n) => `${n}=${secretValue(role, n)}\n`).join(''));
    writeFileSync(unit.environmentFiles.find((p) => p.endsWith('instance.env'))!, 'NINES_HOST=127.0.0.1\n');
    const unitEnv = Object.assign({ PATH: process.env.PATH ?? '/usr/bin:/bin' }, ...unit.environmentFiles.map(envFile)) as Record<string, string>;
    const log = openSync(join(dir, `${role}.log`), 'a');
    const child = spawn(unit.execStart[0]!, unit.execStart.slice(1), { cwd: unit.workingDirectory, env: unitEnv, stdio: ['ignore', log, log] });
    closeSync(log);
    children.set(role, child);
  };
  const ready = async (role: Role, url: string, ok: (body: Record<string, unknown>) => boolean) => {
    const child = children.get(role)!;
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`${role} exited ${child.exitCode}: ${readFileSync(join(dir, `${role}.log`), 'utf8').slice(-2000)}`);
        const r = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
        const body = r?.ok ? ((await r.json()) as Record<string, unknown>) : undefined;
        return body && ok(body) ? body : undefined;
      },
      { timeoutMs: 30_000, everyMs: 100, what: `${role} ready at ${url}`, last: () => readFileSync(join(dir, `${role}.log`), 'utf8').slice(-1500) },
    );
  };

  start('identity');
  await ready('identity', `http://127.0.0.1:${ports.identity}/healthz`, () => true);
  start('broker');
  await ready('broker', `http://127.0.0.1:${ports.broker_http}/status`, (s) => s.leader === true);
  start('usage');
  await ready('usage', `http://127.0.0.1:${ports.usage}/healthz`, () => true);
  start('worker');
  await ready('worker', `http://127.0.0.1:${ports.worker_http}/healthz`, () => true);
  start('api');
  await ready('api', `http://127.0.0.1:${ports.api}/readyz`, (b) => b.status === 'ready');
  // The worker and the usage consumer found the elected broker through Consul, as the api did.
  await ready('broker', `http://127.0.0.1:${ports.broker_http}/status`, (s) => (s.workers as number) >= 1 && (s.clients as number) >= 3);
});
