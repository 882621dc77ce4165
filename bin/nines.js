#!/usr/bin/env node
// Entry point for `npx nines …`: builds the CLI and the services ahead of time when a source
// changed (scripts/build.mjs), then runs the built CLI in this process, with the caller's
// working directory kept.
import { build, builtPath } from '../scripts/build.mjs';

await build();
process.setSourceMapsEnabled(true);
await import(builtPath('harness/cli.ts'));
