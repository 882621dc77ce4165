/**
 * `nines k6 export <scenario>`: a scenario as a k6 run (the static script plus the
 * scenario's JSON config), for SREs who run k6 at fleet scale. Exit codes: 0 written, 1 the scenario cannot be exported (missing fixtures, bad
 * SLA spec) or the file cannot be written, 2 usage error or unknown scenario.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from './types.ts';
import type { K6Config } from '../k6/config.ts';
import { configText, DEFAULT_BASE_URL, k6Config, SCRIPT_FILE, writeK6Export } from '../k6/export.ts';
import type { Scenario } from '../model/scenario.ts';
import { defaultFixturesDir, repoRoot } from '../stack/process.ts';

const defaultScenariosDir = join(repoRoot, 'scenarios');

const help = `nines k6 export — a scenario as a k6 run (k6 runs elsewhere; nines does not install it)

Usage:
  nines k6 export <scenario> [--out DIR] [--base-url URL] [--images DIR] [--quick]

Writes ${SCRIPT_FILE}, the same static k6 script for every scenario, and config.json, the
scenario's load beside it: an open model (constant- or ramping-arrival-rate) POSTing its
fixture images to /v1/resize, each request tagged with its size class (lt1mb, gte1mb), and
the SLAs k6 can express as thresholds. SLAs k6 cannot express (availability windows,
recovery, error budget, measurements) and the fault timeline stay with nines; the config's
"about" lists them.

Options:
  --out DIR         where to write (default k6/<scenario> under the current directory;
                    '-' writes only the config to stdout)
  --base-url URL    the script's default BASE_URL (default ${DEFAULT_BASE_URL})
  --images DIR      fixture images (default $NINES_FIXTURES or ../shared/fixtures/images)
  --quick           export the scenario's quick profile (what npm test runs)
  -h, --help        this help

Run the script where k6 is installed:
  k6 run -e BASE_URL=https://nines.example.com -e API_KEY=nines_… k6/<scenario>/${SCRIPT_FILE}

Examples:
  nines k6 export smoke
  nines k6 export broker-crash --out /tmp/failover --base-url http://10.0.0.5:8080
  nines k6 export smoke --out - | less
`;

const options = {
  out: { type: 'string' },
  'base-url': { type: 'string' },
  images: { type: 'string' },
  quick: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const out = (s: string): void => void process.stdout.write(`${s}\n`);
const err = (s: string): void => void process.stderr.write(`${s}\n`);

/** Names of the scenarios under scenarios/ (file names without `.ts`), sorted. */
export function availableScenarios(dir = defaultScenariosDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

const isScenario = (x: unknown): x is Scenario => {
  const s = x as Partial<Scenario> | null;
  return !!s && typeof s === 'object' && typeof s.name === 'string' && typeof s.seed === 'number' && !!s.load && Array.isArray(s.slas);
};

async function loadScenario(scenariosDir: string, name: string): Promise<Scenario | string> {
  const known = availableScenarios(scenariosDir);
  // A plain file name only: the argument must not reach outside scenarios/.
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name) || !known.includes(name)) {
    return `unknown scenario '${name}'; available: ${known.length ? known.join(', ') : `none (no .ts files in ${relative(process.cwd(), scenariosDir) || '.'})`}`;
  }
  const mod = (await import(pathToFileURL(join(scenariosDir, `${name}.ts`)).href)) as { default?: unknown };
  if (!isScenario(mod.default)) return `scenarios/${name}.ts must default-export a Scenario (harness/model/scenario.ts)`;
  return mod.default;
}

async function exportCommand(scenariosDir: string, argv: string[]): Promise<number> {
  let v: { out?: string; 'base-url'?: string; images?: string; quick: boolean; help: boolean };
  let positionals: string[];
  try {
    ({ values: v, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true }));
  } catch (e) {
    err(`nines k6 export: ${(e as Error).message}\nrun \`nines k6 --help\` for usage`);
    return 2;
  }
  if (v.help) {
    out(help);
    return 0;
  }
  if (positionals.length !== 1) {
    err(`nines k6 export: name one scenario (got ${positionals.length}); run \`nines k6 --help\` for usage`);
    return 2;
  }
  if (v['base-url'] !== undefined) {
    try {
      new URL(v['base-url']);
    } catch {
      err(`nines k6 export: --base-url is not a URL: '${v['base-url']}'`);
      return 2;
    }
  }
  const name = positionals[0]!;
  const scenario = await loadScenario(scenariosDir, name);
  if (typeof scenario === 'string') {
    err(`nines k6 export: ${scenario}`);
    return 2;
  }
  let config: K6Config;
  try {
    config = k6Config(scenario, {
      imagesDir: resolve(v.images ?? defaultFixturesDir()),
      ...(v['base-url'] !== undefined ? { baseUrl: v['base-url'] } : {}),
      quick: v.quick,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    err(`nines k6 export: ${(e as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`);
    return 1;
  }
  return v.out === '-' ? printConfig(config) : writeExport(v.out ?? join('k6', name), config, v['base-url']);
}

/** `--out -`: the config alone on stdout (the script is the same static file every time). */
function printConfig(config: K6Config): number {
  process.stdout.write(configText(config));
  err(`nines k6 export: save it as config.json beside harness/k6/script/${SCRIPT_FILE} and run: k6 run -e BASE_URL=… -e API_KEY=… ${SCRIPT_FILE}`);
  return 0;
}

function writeExport(dir: string, config: K6Config, baseUrl: string | undefined): number {
  let scriptPath: string;
  try {
    ({ scriptPath } = writeK6Export(dir, config));
  } catch (e) {
    err(`nines k6 export: cannot write ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return 1;
  }
  const { scenario, seed, quick } = config.about;
  out(`wrote ${scriptPath} and its config.json (scenario ${scenario}, seed ${seed}${quick ? ', quick profile' : ''})`);
  out('run it where k6 is installed:');
  out(`  k6 run -e BASE_URL=${baseUrl ?? DEFAULT_BASE_URL} -e API_KEY=nines_… ${scriptPath}`);
  out(`faults are injected by nines, not k6: the config's "about" lists the timeline and the SLAs only nines checks`);
  return 0;
}

async function run(scenariosDir: string, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'export') return exportCommand(scenariosDir, rest);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    out(help);
    return 0;
  }
  err(sub === undefined ? help : `nines k6: unknown subcommand '${sub}'; the only one is 'export'\n\n${help}`);
  return 2;
}

/** The `k6` command reading scenarios from `scenariosDir` (tests point it at a temp folder). */
export function k6Command(scenariosDir: string): Command {
  return {
    name: 'k6',
    summary: 'export a scenario as a k6 script and config (thresholds from its SLAs)',
    help,
    run: (argv) => run(scenariosDir, argv),
  };
}

export const command: Command = k6Command(defaultScenariosDir);
