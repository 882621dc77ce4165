/**
 * `nines key create|revoke`: API keys of existing tenants, over the identity admin API.
 * A revocation reaches every api server's replica within one blocking-query round trip.
 * Exit codes: 0 ok, 1 the server refused or could not be reached, 2 usage error.
 */
import { UsageError, out, type Command } from './types.ts';
import { adminExitCode, parseCommandArgs } from './admin-command.ts';
import { AdminClient } from '../../system/identity/admin-client.ts';
import { resolveAdminTarget } from '../../system/identity/admin-target.ts';

const help = `Usage:
  nines key create <tenantId> [--json]
  nines key revoke <keyId> [--json]

Creates another API key for a tenant (for rotation: create, deploy, then revoke the old
one), or revokes a key. A new key is printed once; only its hash is stored.
Revoking an already revoked key succeeds and reports the first revocation time.

Options:
  --json            machine-readable output
  --admin-url URL   identity admin API (else NINES_ADMIN_URL, else .nines/demo.json)
  --admin-token T   admin bearer token (else NINES_ADMIN_TOKEN, else .nines/demo.json)
  -h, --help        this help

Examples:
  nines key create tn_0123456789abcdef
  nines key revoke 3f9a1c2b7d4e
  nines key revoke nines_3f9a1c2b7d4e_…      (a full key works too; only its id is sent)
`.trimEnd();

const options = {
  json: { type: 'boolean', default: false },
  'admin-url': { type: 'string' },
  'admin-token': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;



// Accepting a pasted full key is convenient when revoking a leaked one; the secret part
// is dropped here so it never travels or lands in server logs.
const keyIdOf = (arg: string): string => /^nines_([0-9a-f]{12})_/.exec(arg)?.[1] ?? arg;

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('key', help, { args: argv, options, allowPositionals: true, strict: true });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  try {
    if (sub === 'create') {
      if (rest.length !== 1) throw new UsageError('key create takes exactly one <tenantId>');
      const k = await new AdminClient(resolveAdminTarget(values, process.env)).createKey(rest[0]!);
      if (values.json) out(JSON.stringify(k));
      else {
        out(`created key ${k.keyId} for tenant ${k.tenantId}`);
        out(`API key: ${k.apiKey}`);
        out('Save this API key now: only its hash is stored, so it cannot be shown again.');
      }
      return 0;
    }
    if (sub === 'revoke') {
      if (rest.length !== 1) throw new UsageError('key revoke takes exactly one <keyId>');
      const r = await new AdminClient(resolveAdminTarget(values, process.env)).revokeKey(keyIdOf(rest[0]!));
      if (values.json) out(JSON.stringify(r));
      else out(`revoked key ${r.keyId} of tenant ${r.tenantId} at ${r.revokedAt}`);
      return 0;
    }
    throw new UsageError(sub ? `unknown subcommand "${sub}"; expected create or revoke` : 'missing subcommand: create or revoke');
  } catch (err) {
    return adminExitCode('key', err);
  }
}

export const command: Command = {
  name: 'key',
  summary: 'create and revoke API keys of a tenant',
  help,
  run,
};
