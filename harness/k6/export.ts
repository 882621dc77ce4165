/**
 * A scenario as a k6 script, for SREs who run k6 at fleet scale: the same open-model load
 * (arrival rate, not users), the same requests, and the SLAs k6 can express as thresholds.
 * Faults stay with nines: k6 has no fault timeline, so the script only reproduces load.
 *
 * The output is deterministic (no timestamps), so re-exporting an unchanged scenario
 * gives an identical file and a diff shows exactly what a scenario change did.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile, Scenario } from '../model/scenario.ts';
import { K6ExportError } from './errors.ts';
import { describeProfile, executorFor, type ExecutorPlan } from './executor.ts';
import { jsLiteral } from './literal.ts';
import { FAILED_COUNTER, sizeClassOf, thresholdsFor, type SizeClass } from './thresholds.ts';

export interface ExportK6Options {
  /** Default for the script's BASE_URL (overridden by `-e BASE_URL=…`); default http://127.0.0.1:8080. */
  baseUrl?: string;
  /** Where the scenario's fixtures are; sizes are read here, and it is the script's default IMAGES_DIR. */
  imagesDir: string;
  /** Export the scenario's `quick` profile instead of the full one (what `npm test` runs). */
  quick?: boolean;
  /** File name used in the header's run instructions (default `<scenario>.js`). */
  scriptName?: string;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

interface Image {
  fixture: string;
  size: number;
  sizeClass: SizeClass;
  weight: number;
}

// k6 accepts scenario names of letters, digits, `_` and `-` only.
const k6Name = (name: string): string => name.replace(/[^A-Za-z0-9_-]/g, '_') || 'nines';
// Scenario text goes into `//` comments: one line each, whatever the scenario holds.
const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

function imagesOf(scenario: Scenario, imagesDir: string): Image[] {
  const problems: string[] = [];
  if (!scenario.load.images.length) problems.push('load.images is empty: there is nothing to send');
  const images: Image[] = [];
  for (const [i, img] of scenario.load.images.entries()) {
    const weight = img.weight ?? 1;
    if (!Number.isFinite(weight) || weight < 0) problems.push(`load.images[${i}].weight must be a number ≥ 0, got ${weight}`);
    let size = 0;
    try {
      const st = statSync(join(imagesDir, img.fixture));
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
      size = st.size;
    } catch (err) {
      problems.push(`fixture ${img.fixture} not readable in ${imagesDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass the fixtures folder as imagesDir`);
    }
    images.push({ fixture: img.fixture, size, sizeClass: sizeClassOf(size), weight });
  }
  if (images.length && images.every((x) => x.weight === 0)) problems.push('every image has weight 0: nothing would be picked');
  if (problems.length) throw new K6ExportError(scenario.name, problems);
  return images;
}

function faultLines(scenario: Scenario): string[] {
  if (!scenario.faults.length) return ['//   (this scenario has no faults)'];
  return scenario.faults.map((f) => {
    const when = `at ${f.atS} s${f.forS !== undefined ? ` for ${f.forS} s` : ''}`;
    const what = 'target' in f.fault ? `${f.fault.kind} ${f.fault.target}` : f.fault.kind === 'toxic' ? `toxic ${f.fault.toxic} on ${f.fault.path}` : `${f.fault.kind} ${f.fault.path}`;
    return `//   ${when}: ${oneLine(f.name)} (${what})`;
  });
}

/**
 * The k6 script (ES module source) reproducing `scenario`'s load against a running nines
 * API. Throws K6ExportError when fixtures are missing or weights unusable, SlaSpecError on
 * a bad SLA spec, RangeError on an invalid profile.
 */
export function exportK6(scenario: Scenario, opts: ExportK6Options): string {
  const profile: Profile = opts.quick && scenario.quick ? scenario.quick.profile : scenario.load.profile;
  let plan: ExecutorPlan;
  try {
    plan = executorFor(profile, scenario.load);
  } catch (err) {
    if (err instanceof RangeError) throw new K6ExportError(scenario.name, [err.message]);
    throw err;
  }
  const images = imagesOf(scenario, opts.imagesDir);
  const sla = thresholdsFor(scenario.slas);
  const baseUrl = opts.baseUrl ?? DEFAULT_BASE_URL;
  const script = opts.scriptName ?? `${scenario.name}.js`;
  const query = scenario.load.query.replace(/^\?/, '');
  const seed32 = Math.trunc(scenario.seed) >>> 0;

  const options = {
    scenarios: { [k6Name(scenario.name)]: plan.scenario },
    thresholds: sla.thresholds,
    // p(99) and p(99.9) are what the SLAs name; k6's default summary stops at p(95).
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'],
    // The check needs only the status; keeping resized images in memory would cost a
    // body per in-flight request for nothing.
    discardResponseBodies: true,
    tags: { nines_scenario: scenario.name, nines_seed: String(scenario.seed) },
  };
  const ninesOnly = [
    ...sla.ninesOnly,
    ...(scenario.topology.kind === 'ha' ? ['fencing: no two brokers dispatch under a valid epoch at once, judged per queue shard (broker dispatch logs)'] : []),
    ...(scenario.probes ?? []).map((p) => `probe ${p} (measured by nines during the run)`),
  ];

  const header = [
    `// k6 script exported by nines from scenario ${JSON.stringify(scenario.name)}, seed ${scenario.seed}${opts.quick && scenario.quick ? ' (quick profile)' : ''}.`,
    `// ${oneLine(scenario.description)}`,
    '// Generated by `nines k6 export`: change the scenario and export again rather than editing this file.',
    '//',
    '// Run it where k6 is installed (k6 v1.0 or later: the script uses top-level await):',
    `//   k6 run -e BASE_URL=https://nines.example.com -e API_KEY=nines_… ${script}`,
    `// BASE_URL defaults to ${baseUrl}; IMAGES_DIR (the fixture images) defaults to ${opts.imagesDir}.`,
    '//',
    `// Load: ${describeProfile(profile)} — an open model, as in nines: iterations start on`,
    "// schedule whatever the API does. When every VU is busy, k6 skips the iteration and counts it",
    "// in dropped_iterations: the same thing nines counts as \"dropped\" (a request that could not be",
    `// sent on time). maxVUs is nines' in-flight bound: ${plan.vusReason}. All VUs are pre-allocated`,
    '// so that k6 never drops while initialising VUs mid-test; lower preAllocatedVUs to save',
    '// memory at the cost of drops nines would not see.',
    ...(plan.roundingNote ? [`// Note: ${plan.roundingNote} (k6 rates are integers).`] : []),
    '// Latency: http_req_duration runs from sending the request to its last response byte;',
    "// nines measures from each request's intended send time, so under overload nines' tail is",
    '// the more pessimistic of the two.',
    '//',
    `// Faults are not part of k6: nines injects them (\`nines scenario ${scenario.name}\`) while load runs.`,
    '// This scenario\'s fault timeline, for reference (seconds from the start of load):',
    ...faultLines(scenario),
    '//',
    '// Thresholds mirror the SLAs k6 can express. Checked by nines only:',
    ...(ninesOnly.length ? ninesOnly.map((s) => `//   - ${oneLine(s)}`) : ['//   (none)']),
  ];

  const imageTable = images.map(({ fixture, size, sizeClass, weight }) => ({ fixture, size, sizeClass, weight }));
  const body = `/* global __ENV */
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { open, SeekMode } from 'k6/experimental/fs';
${sla.usesFailedCounter ? "import { Counter } from 'k6/metrics';\n" : ''}
const BASE_URL = (__ENV.BASE_URL || ${JSON.stringify(baseUrl)}).replace(/\\/+$/, '');
const API_KEY = __ENV.API_KEY || '';
const IMAGES_DIR = __ENV.IMAGES_DIR || ${JSON.stringify(opts.imagesDir)};
const QUERY = ${JSON.stringify(query)};
const TIMEOUT = ${JSON.stringify(`${scenario.load.timeoutMs}ms`)};
// The scenario's seed, reduced to 32 bits for the image picker.
const SEED = ${seed32};

// size: bytes when exported; sizeClass: tag for thresholds (lt1mb below 1 MiB, else gte1mb).
const IMAGES = ${jsLiteral(imageTable)};
const TOTAL_WEIGHT = IMAGES.reduce((s, img) => s + img.weight, 0);

// Images are opened with k6/experimental/fs, not open(path, 'b'): open() gives every VU its
// own copy of each file, so with ${plan.scenario.maxVUs} VUs the fixtures would be held ${plan.scenario.maxVUs} times over; fs.open()
// loads a file once and shares it between all VUs. Each iteration reads its image into a
// fresh buffer (http.post needs an ArrayBuffer of exactly the body), so body memory follows
// the requests in flight rather than VUs × images. Every VU has its own read position.
const files = await Promise.all(IMAGES.map((img) => open(\`\${IMAGES_DIR}/\${img.fixture}\`)));
const sizes = await Promise.all(files.map(async (f) => (await f.stat()).size));
sizes.forEach((size, i) => {
  // A different file would be tagged with the wrong size class; refuse rather than mislabel.
  if (size !== IMAGES[i].size) throw new Error(\`\${IMAGES_DIR}/\${IMAGES[i].fixture} has \${size} bytes, the scenario was exported with \${IMAGES[i].size}: point IMAGES_DIR at the nines fixtures\`);
});
${sla.usesFailedCounter ? `// Failed requests (error status or no response) for count thresholds: http_req_failed is a Rate.\nconst failedRequests = new Counter(${JSON.stringify(FAILED_COUNTER)});\n` : ''}
/** @type {import('k6/options').Options} */
export const options = ${jsLiteral(options)};

// Checked in setup(), which runs once before the load, rather than in the init code that
// \`k6 archive\` and \`k6 inspect\` also run, where no key is needed.
export function setup() {
  if (!API_KEY) throw new Error('set API_KEY: k6 run -e API_KEY=nines_… (a key of the tenant to load)');
}

/**
 * Index of the image for iteration n: a hash of (SEED, n) picked by weight. It depends only
 * on the seed and the iteration number, not on which VU runs it, so every run of this
 * script sends the same image sequence.
 * @param {number} n
 */
function pick(n) {
  let h = (SEED ^ Math.imul(n, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  let x = (h / 4294967296) * TOTAL_WEIGHT;
  for (let i = 0; i < IMAGES.length; i++) {
    x -= IMAGES[i].weight;
    if (x < 0) return i;
  }
  return IMAGES.length - 1;
}

/**
 * The whole of image i as an ArrayBuffer of exactly its size.
 * @param {number} i
 */
async function imageBody(i) {
  const file = files[i];
  const size = IMAGES[i].size;
  const buf = new Uint8Array(size);
  await file.seek(0, SeekMode.Start);
  let got = 0;
  while (got < size) {
    // read() may return fewer bytes than asked for; read the rest into a scratch buffer.
    const chunk = got === 0 ? buf : new Uint8Array(size - got);
    const n = await file.read(chunk);
    if (!n) throw new Error(\`\${IMAGES[i].fixture}: short read, \${got} of \${size} bytes\`);
    if (chunk !== buf) buf.set(chunk.subarray(0, n), got);
    got += n;
  }
  return buf.buffer;
}

export default async function () {
  const i = pick(exec.scenario.iterationInTest);
  const res = http.post(\`\${BASE_URL}/v1/resize?\${QUERY}\`, await imageBody(i), {
    headers: { Authorization: \`Bearer \${API_KEY}\`, 'Content-Type': 'application/octet-stream' },
    timeout: TIMEOUT,
    tags: { size_class: IMAGES[i].sizeClass },
  });
  check(res, { 'status is 200': (r) => r.status === 200 });
${sla.usesFailedCounter ? "  if (res.status === 0 || res.status >= 400) failedRequests.add(1, { size_class: IMAGES[i].sizeClass });\n" : ''}}
`;
  return `${header.join('\n')}\n${body}`;
}
