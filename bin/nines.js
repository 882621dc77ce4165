#!/usr/bin/env node
// Entry point for `npx nines …`: runs the TypeScript CLI through tsx, resolved from this
// package (not the caller's directory), with the caller's working directory kept.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../harness/cli.ts', import.meta.url));
const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? (r.signal ? 128 : 1));
