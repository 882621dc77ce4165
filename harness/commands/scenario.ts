/**
 * `nines scenario <name>`: runs a capacity or chaos scenario and judges it.
 * Exit 0 when every SLA holds, 99 when one fails (k6's convention), 2 on error or unknown.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Command } from './types.ts';
import { listScenarios, loadScenario, UnknownScenarioError } from '../scenario/catalog.ts';
import { runScenario } from '../scenario/run.ts';
import { withImage, withShards, ScenarioOverrideError } from '../scenario/override.ts';
import { FaultTargetError } from '../scenario/targets.ts';
import { checkScenarioFitsTarget, readTarget, TargetError } from '../scenario/target-file.ts';
import { targetSystem } from '../scenario/target-system.ts';
import { defaultFixturesDir } from '../stack/process.ts';

const help = `nines scenario — run a capacity or chaos scenario against real processes and judge its SLAs

Usage:
  nines scenario <name> [--seed N] [--out DIR] [--engine builtin|k6] [--quick] [--shards N] [--target FILE]
  nines scenario --list

Options:
  --seed N         override the scenario's seed (recorded in the report)
  --out DIR        where runs go: DIR/runs/<name>/<time>/ (default: the current directory)
  --engine E       builtin (default: the open-model engine) or k6 (needs k6 on PATH)
  --quick          the reduced rate and duration that npm test uses
  --shards N       run an 'ha' scenario on N queue shards (each its own broker pair,
                   lock and epoch) instead of its own count; faults still hit the shard
                   they name (shard 0 unless the scenario says), fencing is judged per shard
  --fixtures DIR   images (default ../shared/fixtures/images, or $NINES_FIXTURES)
  --target FILE    run against a deployment nines did not start (a JSON file naming its
                   apiUrl, adminUrl, adminToken or adminTokenEnv, optional prometheusUrl and
                   toxiproxy); scenarios whose faults need more than it offers are refused
  --image FILE     every request sends this fixture instead of the scenario's images
                   (a capacity run per image of a mix, for nines plan --image-mix)

Each run writes history.jsonl, report.json and report.html. Exit codes: 0 every SLA held,
99 an SLA failed, 2 an error or an SLA that could not be judged.

Examples:
  nines scenario --list
  nines scenario smoke
  nines scenario broker-crash --out /tmp/nines --seed 7
  nines scenario broker-crash --shards 2 --quick   # the same crash with a second shard beside it
  nines scenario capacity            # prints the fleet needed for 10,000 resizes/s
  nines scenario steady --quick --target deploy.json   # against a running deployment`;

export const command: Command = {
  name: 'scenario',
  summary: 'run a capacity or chaos scenario and judge its SLAs (exit 0 / 99 / 2)',
  help,
  async run(argv) {
    let values: Record<string, string | boolean | undefined>;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          list: { type: 'boolean' },
          seed: { type: 'string' },
          out: { type: 'string', default: '.' },
          engine: { type: 'string', default: 'builtin' },
          quick: { type: 'boolean' },
          fixtures: { type: 'string' },
          shards: { type: 'string' },
          image: { type: 'string' },
          target: { type: 'string' },
        },
      }));
    } catch (err) {
      console.error(`nines scenario: ${(err as Error).message}\n\n${help}`);
      return 2;
    }
    if (values.list) {
      for (const name of listScenarios()) {
        const s = await loadScenario(name);
        console.log(`${name.padEnd(20)} ${s.kind.padEnd(9)} ${s.description}`);
      }
      return 0;
    }
    const [name] = positionals;
    if (!name) {
      console.error(`nines scenario: name a scenario (nines scenario --list)\n\n${help}`);
      return 2;
    }
    if (values.engine !== 'builtin' && values.engine !== 'k6') {
      console.error(`nines scenario: --engine is builtin or k6, not ${String(values.engine)}`);
      return 2;
    }
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) {
      console.error('nines scenario: --seed takes a whole number');
      return 2;
    }
    const shards = values.shards === undefined ? undefined : Number(values.shards);
    try {
      const loaded = await loadScenario(name);
      const sharded = shards === undefined ? loaded : withShards(loaded, shards);
      const scenario = values.image === undefined ? sharded : withImage(sharded, String(values.image));
      const target = values.target === undefined ? undefined : readTarget(resolve(String(values.target)));
      if (target) checkScenarioFitsTarget(scenario, target);
      const r = await runScenario({
        scenario,
        out: resolve(String(values.out)),
        fixturesDir: resolve(String(values.fixtures ?? defaultFixturesDir())),
        seed,
        quick: !!values.quick,
        engine: values.engine,
        say: (line) => process.stderr.write(`${line}\n`),
        system: target && (() => targetSystem(target)),
      });
      console.log(JSON.stringify({ scenario: name, valid: r.valid, exitCode: r.exitCode, dir: r.dir, ...r.extra, fencing: undefined }));
      return r.exitCode;
    } catch (err) {
      if (err instanceof UnknownScenarioError || err instanceof ScenarioOverrideError || err instanceof FaultTargetError || err instanceof TargetError) console.error(`nines scenario: ${err.message}`);
      else console.error(`nines scenario: ${(err as Error).stack ?? String(err)}`);
      return 2;
    }
  },
};
