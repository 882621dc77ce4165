// Builds the services and the CLI ahead of time: one esbuild bundle per entry (the five
// system/<role>/main.ts and harness/cli.ts) into dist/, npm packages left as imports.
//
// Why not run the TypeScript through tsx, as development does: a process that compiles
// TypeScript when it starts (a fresh machine, or any change to a file it loads) keeps tsx's
// esbuild service for its whole life, and that service wakes every second: ~1.75 ms of CPU a
// second per process (bench/RESULTS.md, "Idle"), more than the whole idle stack costs
// otherwise. Built JavaScript starts faster too, and is what a deployed unit should run.
//
// The build is skipped when dist/ is fresh: every input file (from the last build's
// metafile) has the size and mtime it had then, and the options are the same. A module that
// finds a file beside itself (`new URL('./x', import.meta.url)`, `import.meta.dirname`)
// still finds it from the bundle: those are rewritten to the source's own location, found
// relative to the bundle, so dist/ stays relocatable with the checkout.
//
//   node scripts/build.mjs            build when stale, say what was built
//   node scripts/build.mjs --force    build regardless
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const serviceRoles = ['api', 'broker', 'worker', 'usage', 'identity'];
export const entries = [...serviceRoles.map((r) => `system/${r}/main.ts`), 'harness/cli.ts'];

/**
 * The node flags every service runs with (the harness's launcher, and the same list in the
 * deployed unit, terraform/modules/role/templates/nines-role.service.tftpl, which a test
 * holds to this one). Source maps: stack traces name the TypeScript lines.
 *
 * A young generation of 8 MB a semi-space instead of V8's 16: V8 starts marking the old
 * generation when its slack drops below the new space's capacity, and with a ~24 MB live heap
 * (limit ~48) a 16 MB semi-space meant every scavenge began a full mark-compact, whose
 * incremental steps took up to 13 ms of the event loop: the worker ran 25 full collections in
 * 50 s at 120 resizes/s, 12 with 8 MB. Open model at 108/s on the reference image, alternating
 * (2026-12-03 21:45 UTC, the 2-core VM): client p99 26.2 and 22.4 ms against 40.1 and
 * 37.2; the worker's own p99 per job 18.4 and 16.4 against 30.4 and 29.5; CPU per job unchanged.
 *
 * The same rule from the other side: an old-generation limit of 4x the live heap instead of
 * V8's own growing factor (~1.7 here: 23 MB live, limit 39). The slack (limit - live) then
 * stays well above the new space, so marking starts when the old generation has really grown,
 * not every few scavenges. The worker's old generation grows ~80 KB/s under load (scavenges
 * promote ~100 KB each), so with 8 MB semi-spaces alone it still ran a full mark-compact every
 * ~3.6 s at 85 resizes/s, 5-6 per 20 s with pauses and steps up to 14 ms; with this, none in
 * the same windows. Open model at 85/s on the reference image, 3 alternating pairs (2026-12-04
 * 18:28 UTC, the 2-core VM): client p99 29.1, 31.0, 28.0 ms against 34.5, 27.6, 40.6. The
 * price is memory: a service's heap may reach 4x its live size before a full collection.
 */
export const serviceNodeFlags = ['--enable-source-maps', '--max-semi-space-size=8', '--heap-growing-percent=300'];

/** Where the bundle of a source entry goes: dist/<entry>.js, e.g. dist/system/api/main.js. */
export const builtPath = (entry, root = repoRoot) => join(root, 'dist', entry.replace(/\.ts$/, '.js'));

const STAMP = 'build-inputs.json';

/**
 * Builds `entries` under `root` into root/dist unless the last build is still fresh.
 * Returns what happened, so callers can say it ('fresh' costs a stat per input file).
 */
export async function build({ root = repoRoot, entryList = entries, force = false } = {}) {
  // This script is an input too: a change to how it bundles must rebuild.
  const options = { entries: entryList, esbuild: createRequire(import.meta.url)('esbuild/package.json').version, node: process.versions.node, script: fingerprint(fileURLToPath(import.meta.url)) };
  const stampFile = join(root, 'dist', STAMP);
  if (!force && isFresh(root, stampFile, options)) return { built: false, entries: entryList };
  const esbuild = await import('esbuild');
  const started = performance.now();
  const results = await Promise.all(entryList.map((e) => bundle(esbuild, root, e)));
  const inputs = {};
  for (const r of results) for (const file of Object.keys(r.metafile.inputs)) inputs[file] = fingerprint(join(root, file));
  writeAtomically(stampFile, `${JSON.stringify({ options, inputs }, null, 1)}\n`);
  return { built: true, entries: entryList, ms: Math.round(performance.now() - started) };
}

async function bundle(esbuild, root, entry) {
  const outfile = builtPath(entry, root);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [ownImportMeta(dirname(outfile))],
  });
  for (const f of result.outputFiles) writeAtomically(f.path, f.contents);
  return result;
}

/**
 * Rewrites `import.meta.url` (and Node's `import.meta.dirname` and `.filename`) in each
 * repository source to that source's own location, found relative to the bundle.
 */
function ownImportMeta(outDir) {
  return {
    name: 'own-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.(ts|mjs)$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!/import\.meta\.(url|dirname|filename)/.test(source)) return undefined;
        const rel = JSON.stringify(relative(outDir, args.path).split('\\').join('/'));
        const prelude =
          `import { fileURLToPath as __ownPath } from 'node:url'; import { dirname as __ownDir } from 'node:path';` +
          `const __ownUrl = new URL(${rel}, import.meta.url).href;`;
        const contents = source
          .replaceAll('import.meta.dirname', '__ownDir(__ownPath(__ownUrl))')
          .replaceAll('import.meta.filename', '__ownPath(__ownUrl)')
          .replaceAll('import.meta.url', '__ownUrl');
        return { contents: `${prelude}${contents}`, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
      });
    },
  };
}

function isFresh(root, stampFile, options) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  if (JSON.stringify(stamp.options) !== JSON.stringify(options)) return false;
  if (!options.entries.every((e) => fingerprint(builtPath(e, root)) !== null)) return false;
  return Object.entries(stamp.inputs).every(([file, was]) => fingerprint(join(root, file)) === was);
}

/** Size and mtime: what a checkout or an edit changes, at the cost of one stat. */
function fingerprint(file) {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

/** Two builds at once (a test and a bench) never leave a half-written file for a process to load. */
function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await build({ force: process.argv.includes('--force') });
  if (r.built) console.error(`nines: built ${r.entries.length} entries into dist/ in ${r.ms} ms`);
}
