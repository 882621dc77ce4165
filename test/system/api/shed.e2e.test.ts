/**
 * The api's refusal fast path (system/api/shed.ts) over the real stack: a tenant over its
 * rate gets 429 problem+json with Retry-After and an X-Request-Id, metered and counted like
 * any refusal; a refused client that asked `Expect: 100-continue` never gets the 100, so its
 * body is never sent; an admitted one gets the 100 and its resize.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { eventually, fixture, resizeReq, startTestStack, type TestStack } from '../../helpers/stack.ts';
import { metricSum } from '../../helpers/metrics.ts';

let s: TestStack;
before(async () => {
  s = await startTestStack();
});
after(() => s?.dispose());

/**
 * A tenant of 1 request/s, burst 1, whose one token is spent: a corrupt image is admitted
 * (taking the token) and refused from its header in milliseconds, so the next request,
 * sent at once, is over the rate whatever the machine's speed.
 */
async function spentTenant(name: string): Promise<string> {
  const key = (await s.admin.createTenant({ name, ratePerSec: 1, burst: 1 })).apiKey;
  // The api learns of the new key from identity's replication stream: until then, 401.
  const first = await eventually(async () => {
    const r = await resizeReq(s, fixture('corrupt-header.jpg'), { query: 'width=50', key });
    await r.arrayBuffer();
    return r.status === 401 ? undefined : r;
  });
  assert.equal(first.status, 422);
  return key;
}

test('over its rate, a tenant gets 429 problem+json with Retry-After from the fast path, counted and metered', async () => {
  const img = fixture('concert.jpg');
  const limitedKey = await spentTenant('limited-1');
  const refused = await resizeReq(s, img, { query: 'width=50', key: limitedKey });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After in whole seconds');
  assert.ok(refused.headers.get('x-request-id'));
  const problem = (await refused.json()) as { code: string; status: number; type: string };
  assert.deepEqual([problem.code, problem.status, problem.type], ['ERR_RATE_LIMITED', 429, 'urn:nines:problem:rate-limited']);
  // The connection survives a refusal whose body was sent anyway: the next request on it works.
  const again = await resizeReq(s, img, { query: 'width=50', key: limitedKey });
  assert.equal(again.status, 429);
  await again.arrayBuffer();
  assert.ok((await metricSum(s.apiUrl, 'nines_api_requests_total', 'route="/v1/resize"', 'status="429"', 'code="ERR_RATE_LIMITED"')) >= 2);
});

/** Sends only a request head with `Expect: 100-continue`; resolves with the first response head. */
function expectContinue(url: string, head: Record<string, string>, path = '/v1/resize?width=50'): Promise<string> {
  const { hostname, port } = new URL(url);
  const lines = Object.entries(head).map(([k, v]) => `${k}: ${v}\r\n`);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () => sock.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nExpect: 100-continue\r\n${lines.join('')}\r\n`));
    let got = '';
    const timer = setTimeout(() => (sock.destroy(), reject(new Error(`no answer; got ${JSON.stringify(got)}`))), 5000);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        clearTimeout(timer);
        sock.destroy();
        resolve(got);
      }
    });
    sock.on('error', reject);
  });
}

test('Expect: 100-continue: a refused request is answered before the 100, so its body is never sent', async () => {
  const img = fixture('concert.jpg');
  const limitedKey = await spentTenant('limited-2');
  const auth = { Authorization: `Bearer ${limitedKey}`, 'Content-Type': 'image/jpeg', 'Content-Length': String(img.length) };
  const head = await expectContinue(s.apiUrl, auth);
  assert.match(head, /^HTTP\/1\.1 429 /);
  assert.match(head, /Retry-After: \d+/i);
  const tooBig = await expectContinue(s.apiUrl, { ...auth, Authorization: `Bearer ${s.apiKey}`, 'Content-Length': String(30 * 1024 * 1024) });
  assert.match(tooBig, /^HTTP\/1\.1 413 /, 'a declared 30 MB body is refused from its head');
});

test('Expect: 100-continue: an admitted request gets the 100, then its resize', async () => {
  const img = fixture('concert.jpg');
  const { hostname, port } = new URL(s.apiUrl);
  const status = await new Promise<string>((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () =>
      sock.write(`POST /v1/resize?width=50 HTTP/1.1\r\nHost: ${hostname}\r\nExpect: 100-continue\r\nAuthorization: Bearer ${s.apiKey}\r\nContent-Type: image/jpeg\r\nContent-Length: ${img.length}\r\nConnection: close\r\n\r\n`),
    );
    let got = '';
    let sent = false;
    const timer = setTimeout(() => (sock.destroy(), reject(new Error(`no answer; got ${JSON.stringify(got.slice(0, 200))}`))), 10_000);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (!sent && got.startsWith('HTTP/1.1 100')) {
        sent = true;
        sock.write(img);
      }
      const final = /HTTP\/1\.1 (?!100)(\d{3})/.exec(got);
      if (final) {
        clearTimeout(timer);
        sock.destroy();
        resolve(`${sent ? 'continued ' : ''}${final[1]}`);
      }
    });
    sock.on('error', reject);
  });
  assert.equal(status, 'continued 200');
});
