/**
 * `nines tenant create|list`: the management plane for tenants, over the identity admin API.
 * Exit codes: 0 ok, 1 the server refused or could not be reached, 2 usage error.
 */
import { UsageError, out, type Command } from './types.ts';
import { adminExitCode, parseCommandArgs } from './admin-command.ts';
import { AdminClient } from '../../system/identity/admin-client.ts';
import { resolveAdminTarget } from '../../system/identity/admin-target.ts';
import type { TenantView } from '../../system/identity/types.ts';

const help = `Usage:
  nines tenant create <name> [--rate N] [--burst N] [--json]
  nines tenant list [--json]

Creates a tenant with its first API key, or lists tenants and their keys.
The new API key is printed once; only its hash is stored, so it cannot be shown again.

Options:
  --rate N          requests per second allowed to the tenant (default: server's NINES_TENANT_DEFAULT_RATE)
  --burst N         burst above the rate (default: server's NINES_TENANT_DEFAULT_BURST)
  --json            machine-readable output
  --admin-url URL   identity admin API (else NINES_ADMIN_URL, else .nines/demo.json)
  --admin-token T   admin bearer token (else NINES_ADMIN_TOKEN, else .nines/demo.json)
  -h, --help        this help

Examples:
  nines tenant create acme
  nines tenant create "Acme Photos" --rate 50 --burst 100
  nines tenant list --json | jq '.tenants[].tenantId'
`.trimEnd();

const options = {
  rate: { type: 'string' },
  burst: { type: 'string' },
  json: { type: 'boolean', default: false },
  'admin-url': { type: 'string' },
  'admin-token': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;


const positiveInt = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--${flag} must be a positive integer, got "${v}"`);
  return Number(v);
};


function printTable(tenants: TenantView[]): void {
  if (tenants.length === 0) {
    out('no tenants yet; create one with: nines tenant create <name>');
    return;
  }
  const rows = [
    ['TENANT ID', 'NAME', 'RATE/S', 'BURST', 'KEYS', 'CREATED'],
    ...tenants.map((t) => {
      const active = t.keys.filter((k) => !k.revokedAt).map((k) => k.keyId);
      const revoked = t.keys.length - active.length;
      const keys = `${active.join(',') || '-'}${revoked ? ` (+${revoked} revoked)` : ''}`;
      return [t.tenantId, t.name, String(t.ratePerSec), String(t.burst), keys, t.createdAt];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('tenant', help, { args: argv, options, allowPositionals: true, strict: true });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  try {
    if (sub === 'create') {
      if (rest.length !== 1) throw new UsageError('tenant create takes exactly one <name> (quote names with spaces)');
      const ratePerSec = positiveInt('rate', values.rate);
      const burst = positiveInt('burst', values.burst);
      const client = new AdminClient(resolveAdminTarget(values, process.env));
      const t = await client.createTenant({
        name: rest[0]!,
        ...(ratePerSec === undefined ? {} : { ratePerSec }),
        ...(burst === undefined ? {} : { burst }),
      });
      if (values.json) out(JSON.stringify(t));
      else {
        out(`created tenant "${t.name}" ${t.tenantId} (rate ${t.ratePerSec}/s, burst ${t.burst})`);
        out(`key id:  ${t.keyId}`);
        out(`API key: ${t.apiKey}`);
        out('Save this API key now: only its hash is stored, so it cannot be shown again.');
      }
      return 0;
    }
    if (sub === 'list') {
      if (rest.length) throw new UsageError(`tenant list takes no arguments, got "${rest.join(' ')}"`);
      if (values.rate !== undefined || values.burst !== undefined) throw new UsageError('--rate/--burst only apply to tenant create');
      const tenants = await new AdminClient(resolveAdminTarget(values, process.env)).listTenants();
      if (values.json) out(JSON.stringify({ tenants }));
      else printTable(tenants);
      return 0;
    }
    throw new UsageError(sub ? `unknown subcommand "${sub}"; expected create or list` : 'missing subcommand: create or list');
  } catch (err) {
    return adminExitCode('tenant', err);
  }
}

export const command: Command = {
  name: 'tenant',
  summary: 'create and list tenants (each new tenant gets its first API key)',
  help,
  run,
};
