/**
 * The tenants a scenario's load comes from (LoadSpec.tenants): created through the admin
 * API with the limits the scenario gives, and interleaved into one request sequence so that
 * every group gets its share spread evenly over time (a tenant offering 20 req/s inside a
 * 10,000 req/s flood sends one request every 50 ms, not 20 in a burst).
 */
import type { AdminClient } from '../../system/identity/admin-client.ts';
import type { TenantGroup } from '../model/scenario.ts';

export interface GroupKeys {
  name: string;
  share: number;
  keys: string[];
}

/** Creates every tenant of every group; returns their keys by group. */
export async function createTenantGroups(admin: AdminClient, scenario: string, groups: TenantGroup[] = []): Promise<GroupKeys[]> {
  const out: GroupKeys[] = [];
  for (const g of groups) {
    const keys: string[] = [];
    for (let i = 0; i < (g.count ?? 1); i++) {
      const t = await admin.createTenant({ name: `scenario-${scenario}-${g.name}-${i + 1}`, ratePerSec: g.ratePerSec, burst: g.burst ?? g.ratePerSec });
      keys.push(t.apiKey);
    }
    out.push({ name: g.name, share: g.share, keys });
  }
  return out;
}

/**
 * Which group and key sends request `seq`: a fixed cycle in which each group appears in
 * proportion to its share, spread evenly (smooth weighted round robin, as nginx balances
 * weighted upstreams), and each group's tenants take turns.
 */
export function tenantCycle(groups: GroupKeys[], length = 100_000): Array<{ group: string; key: string }> {
  const total = groups.reduce((a, g) => a + g.share, 0);
  const credit = groups.map(() => 0);
  const turns = groups.map(() => 0);
  const cycle: Array<{ group: string; key: string }> = [];
  for (let n = 0; n < length; n++) {
    let best = 0;
    groups.forEach((g, i) => {
      credit[i]! += g.share;
      if (credit[i]! > credit[best]!) best = i;
    });
    credit[best]! -= total;
    const g = groups[best]!;
    cycle.push({ group: g.name, key: g.keys[turns[best]!++ % g.keys.length]! });
  }
  return cycle;
}
