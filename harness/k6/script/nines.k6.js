// @ts-check
/**
 * The k6 script `nines k6 export` ships, the same file for every scenario: what differs
 * (arrival-rate executor, thresholds, the request, the images) is in the JSON config written
 * beside it. A file in the repository rather than a script built from a template string, so
 * tsc checks it against @types/k6 (tsconfig.json here) and eslint lints it like any source.
 *
 * Run it where k6 is installed (k6 v1.0 or later: the script uses top-level await):
 *   k6 run -e BASE_URL=https://nines.example.com -e API_KEY=nines_… nines.k6.js
 * BASE_URL and IMAGES_DIR default to the config's; NINES_CONFIG names another config file.
 *
 * Load is an open model, as in nines: iterations start on schedule whatever the API does.
 * When every VU is busy k6 skips the iteration and counts it in dropped_iterations, what
 * nines counts as "dropped". Latency differs: http_req_duration runs from sending the
 * request, nines measures from its intended send time, so under overload nines' tail is the
 * more pessimistic. Faults are not part of k6: the config's `about.faults` lists the
 * timeline nines injects, and `about.checkedByNinesOnly` the SLAs only nines judges.
 */
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { open as openFile, SeekMode } from 'k6/experimental/fs';
import { Counter } from 'k6/metrics';

// The config's shape is harness/k6/config.ts in the nines repository; in an exported copy
// these type imports do not resolve, which k6 (it ignores comments) does not mind.
/** @typedef {import('../config.ts').K6Config} K6Config */
/** @typedef {import('../config.ts').K6Image} K6Image */
/** @typedef {import('k6/experimental/fs').File} FsFile */

// k6's init-context open() resolves a relative path against this script, so the config
// beside it is found whatever directory k6 is started from.
const CONFIG = /** @type {K6Config} */ (JSON.parse(open(__ENV.NINES_CONFIG || './config.json')));
if (CONFIG.format !== 'nines-k6-config/1') {
  throw new Error(`config format ${JSON.stringify(CONFIG.format)} is not nines-k6-config/1: export the scenario again with this script`);
}

const BASE_URL = (__ENV.BASE_URL || CONFIG.request.baseUrl).replace(/\/+$/, '');
const API_KEY = __ENV.API_KEY || '';
const IMAGES_DIR = __ENV.IMAGES_DIR || CONFIG.images.dir;
const IMAGES = CONFIG.images.list;
const TOTAL_WEIGHT = IMAGES.reduce((s, img) => s + img.weight, 0);

// Images are opened with k6/experimental/fs, not open(path, 'b'): open() gives every VU its
// own copy of each file, so the fixtures would be held once per VU; fs.open() loads a file
// once and shares it between all VUs. Each iteration reads its image into a fresh buffer
// (http.post needs an ArrayBuffer of exactly the body), so body memory follows the requests
// in flight rather than VUs × images. Every VU has its own read position.
const files = await Promise.all(IMAGES.map((img) => openFile(`${IMAGES_DIR}/${img.fixture}`)));
const sizes = await Promise.all(files.map(async (f) => (await f.stat()).size));
sizes.forEach((size, i) => {
  const img = /** @type {K6Image} */ (IMAGES[i]);
  // A different file would be tagged with the wrong size class; refuse rather than mislabel.
  if (size !== img.size) throw new Error(`${IMAGES_DIR}/${img.fixture} has ${size} bytes, the scenario was exported with ${img.size}: point IMAGES_DIR at the nines fixtures`);
});

// Failed requests (error status or no response) for count thresholds: http_req_failed is a Rate.
const failedRequests = CONFIG.failedCounter ? new Counter(CONFIG.failedCounter) : undefined;

export const options = CONFIG.options;

// Checked in setup(), which runs once before the load, rather than in the init code that
// `k6 archive` and `k6 inspect` also run, where no key is needed.
export function setup() {
  if (!API_KEY) throw new Error('set API_KEY: k6 run -e API_KEY=nines_… (a key of the tenant to load)');
}

/**
 * Index of the image for iteration n: a hash of (seed, n) picked by weight. It depends only
 * on the seed and the iteration number, not on which VU runs it, so every run of the same
 * config sends the same image sequence.
 * @param {number} n
 * @returns {number}
 */
function pick(n) {
  let h = (CONFIG.images.seed ^ Math.imul(n, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  let x = (h / 4294967296) * TOTAL_WEIGHT;
  for (let i = 0; i < IMAGES.length; i++) {
    x -= IMAGES[i]?.weight ?? 0;
    if (x < 0) return i;
  }
  return IMAGES.length - 1;
}

/**
 * The whole of image i as an ArrayBuffer of exactly its size.
 * @param {FsFile} file
 * @param {K6Image} img
 * @returns {Promise<ArrayBuffer>}
 */
async function imageBody(file, img) {
  const buf = new Uint8Array(img.size);
  await file.seek(0, SeekMode.Start);
  let got = 0;
  while (got < img.size) {
    // read() may return fewer bytes than asked for; read the rest into a scratch buffer.
    const chunk = got === 0 ? buf : new Uint8Array(img.size - got);
    const n = await file.read(chunk);
    if (!n) throw new Error(`${img.fixture}: short read, ${got} of ${img.size} bytes`);
    if (chunk !== buf) buf.set(chunk.subarray(0, n), got);
    got += n;
  }
  return buf.buffer;
}

export default async function () {
  const i = pick(exec.scenario.iterationInTest);
  const img = /** @type {K6Image} */ (IMAGES[i]);
  const res = http.post(`${BASE_URL}/v1/resize?${CONFIG.request.query}`, await imageBody(/** @type {FsFile} */ (files[i]), img), {
    headers: { ...CONFIG.request.headers, Authorization: `Bearer ${API_KEY}` },
    timeout: CONFIG.request.timeout,
    tags: { size_class: img.sizeClass },
  });
  check(res, { 'status is 200': (r) => r.status === 200 });
  if (failedRequests && (res.status === 0 || res.status >= 400)) failedRequests.add(1, { size_class: img.sizeClass });
}
