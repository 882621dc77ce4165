/**
 * `nines`: the command line of the system and its harness. Each command is one file under
 * harness/commands; this file only dispatches and prints help.
 */
import type { Command } from './commands/types.ts';
import { command as start } from './commands/start.ts';
import { command as tenant } from './commands/tenant.ts';
import { command as key } from './commands/key.ts';
import { command as k6 } from './commands/k6.ts';
import { command as scenario } from './commands/scenario.ts';
import { command as load } from './commands/load.ts';
import { command as verdict } from './commands/verdict.ts';
import { command as plan } from './commands/plan.ts';
import { command as dashboard } from './commands/dashboard.ts';

const commands: Command[] = [start, tenant, key, scenario, verdict, load, k6, plan, dashboard];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'nines — the image-resizing service and the harness that proves its SLAs',
    '',
    'Usage: nines <command> [options]     (npm run nines -- <command> … from a clone)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'nines <command> --help' for a command's options and examples.",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`nines: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help);
    return 0;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`nines: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
