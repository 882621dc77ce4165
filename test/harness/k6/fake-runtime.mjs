// Runs the exported k6 script under Node with stand-ins for the k6 modules and for k6's
// init-context globals (open, __ENV), so a test can see what the script would send without
// k6 (which is not installable here). Prints one JSON line: the options, every http.post,
// every check and counter add.
//   node --experimental-vm-modules fake-runtime.mjs <script.js> <iterations> [NAME=VALUE …]
// Each fake file serves at most 64 KiB per read(), to exercise the script's short-read loop;
// every response has status $FAKE_K6_STATUS (default 200).
import vm from 'node:vm';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

const [scriptPath, iterationsText, ...pairs] = process.argv.slice(2);
const env = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
const posts = [];
const checks = [];
const counters = [];
const opened = [];
const exec = { scenario: { iterationInTest: 0 } };
// k6's open() reads a text file relative to the script, in the init context only.
const open = (path) => readFileSync(resolve(dirname(scriptPath), path), 'utf8');
const context = vm.createContext({ __ENV: env, open });

function fakeFile(path) {
  const data = readFileSync(path);
  let pos = 0;
  return {
    path,
    async stat() {
      return { name: basename(path), size: data.length };
    },
    async seek(offset) {
      pos = offset;
      return pos;
    },
    async read(buf) {
      const n = Math.min(buf.length, data.length - pos, 64 * 1024);
      if (n <= 0) return null;
      buf.set(data.subarray(pos, pos + n));
      pos += n;
      return n;
    },
  };
}

const stubs = {
  'k6/http': {
    default: {
      post(url, body, params) {
        const bytes = Buffer.from(body);
        posts.push({ url, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), params: JSON.parse(JSON.stringify(params)) });
        return { status: Number(process.env.FAKE_K6_STATUS ?? 200) };
      },
    },
  },
  k6: {
    check(value, sets) {
      for (const [name, fn] of Object.entries(sets)) checks.push([name, fn(value)]);
      return true;
    },
  },
  'k6/execution': { default: exec },
  'k6/experimental/fs': {
    async open(path) {
      opened.push(path);
      return fakeFile(path);
    },
    SeekMode: { Start: 0, Current: 1, End: 2 },
  },
  'k6/metrics': {
    Counter: class {
      constructor(name) {
        this.name = name;
      }
      add(value, tags) {
        counters.push({ name: this.name, value, tags });
      }
    },
  },
};

const synthetic = (spec) => {
  const exports = stubs[spec];
  if (!exports) throw new Error(`the script imports ${spec}, which this fake k6 does not provide`);
  const names = Object.keys(exports);
  return new vm.SyntheticModule(names, function () {
    for (const n of names) this.setExport(n, exports[n]);
  }, { context, identifier: spec });
};

const mod = new vm.SourceTextModule(readFileSync(scriptPath, 'utf8'), { context, identifier: scriptPath });
await mod.link(synthetic);
await mod.evaluate();
// k6 runs setup() once before the first iteration.
if (typeof mod.namespace.setup === 'function') await mod.namespace.setup();
const iterations = Number(iterationsText);
for (let k = 0; k < iterations; k++) {
  exec.scenario.iterationInTest = k;
  await mod.namespace.default();
}
process.stdout.write(`${JSON.stringify({ options: mod.namespace.options, opened, posts, checks, counters })}\n`);
