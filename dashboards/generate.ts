/**
 * `npm run dashboards`: writes the generated files — the SLO rule file and the Grafana
 * dashboards' JSON — from their sources (slos.ts, prometheus/rules.ts, grafana/*.ts).
 * `npm run dashboards -- --check` writes nothing and exits 1 naming every stale file
 * (test/dashboards/generated.test.ts runs the same comparison).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRules } from './prometheus/rules.ts';
import { sloOverview } from './grafana/slo-overview.ts';
import { serviceDashboard } from './grafana/service.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Every generated file: its path and its content as the sources say it should be. */
export function generatedFiles(): Array<{ path: string; content: string }> {
  const json = (b: { build(): unknown }) => JSON.stringify(b.build(), null, 2) + '\n';
  return [
    { path: join(here, 'prometheus', 'rules', 'slo.yml'), content: renderRules() },
    { path: join(here, 'grafana', 'slo-overview.json'), content: json(sloOverview()) },
    { path: join(here, 'grafana', 'service.json'), content: json(serviceDashboard()) },
  ];
}

/** The generated files whose committed content differs from what the sources give. */
export function staleFiles(): string[] {
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  return generatedFiles()
    .filter((f) => read(f.path) !== f.content)
    .map((f) => relative(join(here, '..'), f.path));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length) {
      console.error(`stale, run \`npm run dashboards\`: ${stale.join(', ')}`);
      process.exit(1);
    }
  } else {
    const files = generatedFiles();
    for (const f of files) writeFileSync(f.path, f.content);
    console.log(`wrote ${files.length} files under dashboards/`);
  }
}
