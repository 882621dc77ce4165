/**
 * The load engine against a real HTTP server. The server runs in a child process
 * (harness/load/target-server.ts), not in this process: in-process it would share the
 * engine's event loop, so its request handling would show up as the engine's send lag and
 * be double-counted in latencies, and a server bug that blocked the loop would look like
 * dropped requests instead of a server stall. A child process is what the engine meets in
 * real runs; it costs about half a second to start.
 *
 * Assertions are on counts and outcomes, which are exact, and on latencies only where the
 * target's behaviour dictates them (a 1 s stall must show as ≥ 500 ms). Slack is generous
 * so a busy CI machine delays requests (measured) rather than dropping them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Pool } from 'undici';
import * as hdr from 'hdr-histogram-js';
import { runLoad } from '../../../harness/load/engine.ts';
import { summarize } from '../../../harness/load/summary.ts';
import { decode } from '../../../harness/load/histogram.ts';
import { startTarget, type Target } from '../../../harness/load/target-process.ts';

let plain: Target;
before(async () => {
  plain = await startTarget();
});
after(async () => {
  await plain?.stop();
});

const stats = async (t: Target): Promise<{ requests: number; firstMs: number; lastMs: number }> => {
  const r = await fetch(`${t.url}__stats?reset=1`);
  return (await r.json()) as { requests: number; firstMs: number; lastMs: number };
};

test('constant 2,000 req/s for 3 s: every request sent on schedule, the target sees the rate', async () => {
  await stats(plain);
  const h = await runLoad({ url: plain.url, profile: { kind: 'constant', rate: 2000, durationS: 3 }, threads: 1, slackMs: 1000 });
  const s = summarize(h);
  assert.equal(s.scheduled, 6000);
  assert.equal(s.dropped, 0);
  assert.equal(s.requests, 6000);
  assert.ok(Math.abs(s.achievedRate / 2000 - 1) <= 0.02, `achieved ${s.achievedRate}/s`);
  assert.deepEqual(s.statusCounts, { ok: 6000 });
  assert.deepEqual(
    h.seconds.map((b) => b.sent),
    [2000, 2000, 2000],
  );
  assert.equal(s.latencyMs.count, 6000);
  // The target's own view: 6,000 arrivals spread over the 3 s, never faster than the
  // schedule (no bunching, nothing sent early). The lower bound is loose on purpose: on an
  // overloaded machine the *target* falls behind in reading them, which is not the engine's
  // doing; `sendLagP99Ms` is the engine's own account of its lateness.
  const seen = await stats(plain);
  assert.equal(seen.requests, 6000);
  const rate = (seen.requests - 1) / ((seen.lastMs - seen.firstMs) / 1000);
  assert.ok(rate <= 2000 * 1.02 && rate >= 2000 * 0.75, `target saw ${rate.toFixed(0)} req/s`);
});

test('two worker threads split the schedule and their seconds add up', async () => {
  const h = await runLoad({ url: plain.url, profile: { kind: 'constant', rate: 1000, durationS: 2 }, threads: 2, slackMs: 1000 });
  const s = summarize(h);
  assert.equal(h.settings.threads, 2);
  assert.equal(s.requests + s.dropped, 2000);
  assert.equal(s.dropped, 0);
  assert.deepEqual(
    h.seconds.map((b) => b.sent),
    [1000, 1000],
  );
  assert.equal(s.latencyMs.count, 2000);
  assert.equal(decode(h.seconds[1]!.latency.all!).totalCount, 1000);
});

test('pluggable request factories: size classes in-process and from a module in two threads', async () => {
  const body = Buffer.alloc(4096, 3);
  const small = { method: 'POST' as const, path: '/a', body, sizeClass: 'lt1mb' };
  const other = { method: 'GET' as const, path: '/b' };
  const seen: number[] = [];
  const h1 = await runLoad({ url: plain.url, profile: { kind: 'constant', rate: 200, durationS: 1 }, threads: 1, slackMs: 1000, requests: (seq) => (seen.push(seq), seq % 2 ? small : other) });
  assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => i));
  const s1 = summarize(h1);
  assert.equal(s1.byClass?.lt1mb?.count, 100);
  assert.equal(s1.latencyMs.count, 200);

  const module = new URL('./fixtures/request-factory.ts', import.meta.url).href;
  const h2 = await runLoad({ url: plain.url, profile: { kind: 'constant', rate: 400, durationS: 1 }, threads: 2, slackMs: 1000, requests: { module, arg: { largeEvery: 4 } } });
  const s2 = summarize(h2);
  assert.equal(s2.statusCounts.ok, 400);
  // Sequence numbers are global across threads, so exactly every 4th request is large.
  assert.equal(s2.byClass?.large?.count, 100);
  assert.equal(s2.byClass?.small?.count, 300);
  await assert.rejects(runLoad({ url: plain.url, profile: { kind: 'constant', rate: 1, durationS: 1 }, threads: 2, requests: () => other }), /cannot run in worker threads/);
  // A broken factory is the caller's bug: the run rejects instead of recording non-requests.
  const broken = (seq: number) => {
    if (seq === 10) throw new Error('boom');
    return other;
  };
  await assert.rejects(runLoad({ url: plain.url, profile: { kind: 'constant', rate: 100, durationS: 1 }, threads: 1, requests: broken }), /request factory threw for seq 10: boom/);
});

test('a ramping profile sends the integral of its rate, second by second', async () => {
  const h = await runLoad({
    url: plain.url,
    profile: { kind: 'ramping', stages: [{ rate: 1000, durationS: 1 }, { rate: 1000, durationS: 1 }, { rate: 0, durationS: 1 }] },
    threads: 1,
    slackMs: 1000,
  });
  assert.deepEqual(
    h.seconds.map((b) => b.sent + b.dropped),
    [500, 1000, 500],
  );
  assert.equal(summarize(h).statusCounts.ok, 2000);
});

test('a 1 s stall shows in the open-model p99; a closed loop at the same target hides it', async (t) => {
  // 1,000 req/s for 4 s; the 1,500th request (t ≈ 1.5 s) opens a 1 s window in which every
  // arriving request is held until the window ends: a quarter of the run waits 0–1,000 ms.
  const stalling = await startTarget({ stallAfter: 1500, stallMs: 1000 });
  t.after(() => stalling.stop());
  const h = await runLoad({ url: stalling.url, profile: { kind: 'constant', rate: 1000, durationS: 4 }, threads: 1, slackMs: 1000 });
  const s = summarize(h);
  assert.equal(s.dropped, 0);
  assert.equal(s.statusCounts.ok, 4000);
  assert.ok(s.latencyMs.p99! >= 500, `open-model p99 ${s.latencyMs.p99} ms should show the stall`);
  assert.ok(s.latencyMs.p90! >= 300, `a quarter of requests waited: p90 ${s.latencyMs.p90} ms`);

  // What a closed-loop tool records against the same stall: each of its 8 connections sends
  // the next request only when the previous one returns, and times it from the actual send.
  // During the stall it sends nothing, so only 8 samples carry the stall.
  const again = await startTarget({ stallAfter: 1500, stallMs: 1000 });
  t.after(() => again.stop());
  const pool = new Pool(again.url, { connections: 8 });
  t.after(() => pool.close());
  const closed = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const until = performance.now() + 4000;
  let n = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      // Bounded in time and count.
      while (performance.now() < until && n < 200_000) {
        const t0 = performance.now();
        const r = await pool.request({ method: 'GET', path: '/' });
        await r.body.dump();
        closed.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
        n++;
      }
    }),
  );
  const closedP99 = closed.getValueAtPercentile(99) / 1000;
  assert.ok(closed.maxValue >= 500_000, 'the closed loop did hit the stall');
  assert.ok(n > 1500, `closed loop made ${n} requests`);
  assert.ok(closedP99 < 500, `closed-loop p99 ${closedP99} ms hides the stall (open model: ${s.latencyMs.p99} ms)`);
});

test('requests that cannot go out on time are counted as dropped, never skipped', async (t) => {
  const slow = await startTarget({ delayMs: 200 });
  t.after(() => slow.stop());
  // 50 req/s against 200 ms responses with at most 2 in flight: ~10 can go out per second.
  const h = await runLoad({ url: slow.url, profile: { kind: 'constant', rate: 50, durationS: 2 }, threads: 1, maxInFlight: 2, slackMs: 1000 });
  const s = summarize(h);
  assert.equal(s.requests + s.dropped, 100);
  assert.ok(s.dropped >= 60, `dropped ${s.dropped}`);
  assert.ok(s.requests >= 8, `sent ${s.requests}`);
  assert.equal(s.statusCounts.ok, s.requests);
  assert.equal(h.failures.filter((f) => f.outcome === 'dropped').length, s.dropped);
  assert.ok(h.seconds.every((b) => b.dropped > 0));
});

test('failure kinds: 503s from the target, refused connections, timeouts', async (t) => {
  const flaky = await startTarget({ failEvery: 4 });
  t.after(() => flaky.stop());
  const h503 = await runLoad({ url: flaky.url, profile: { kind: 'constant', rate: 400, durationS: 1 }, threads: 1, slackMs: 1000 });
  const s503 = summarize(h503);
  assert.deepEqual(s503.statusCounts, { ok: 300, http_503: 100 });
  assert.ok(h503.failures.every((f) => f.kind === 'http_503' && f.status === 503 && f.outcome === 'fail'));
  assert.equal(h503.failures.length, 100);

  // A port that was free a moment ago: nothing listens, the kernel refuses.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const refused = summarize(await runLoad({ url: `http://127.0.0.1:${port}/`, profile: { kind: 'constant', rate: 100, durationS: 1 }, threads: 1, slackMs: 1000 }));
  assert.deepEqual(refused.statusCounts, { ok: 0, econnrefused: 100 });

  const slow = await startTarget({ delayMs: 3000 });
  t.after(() => slow.stop());
  const ht = await runLoad({ url: slow.url, profile: { kind: 'constant', rate: 50, durationS: 1 }, threads: 1, timeoutMs: 300, slackMs: 1000 });
  const st = summarize(ht);
  assert.deepEqual(st.statusCounts, { ok: 0, timeout: 50 });
  assert.ok(ht.failures.every((f) => f.outcome === 'info'));
  // A timed-out request counts at its deadline or later, so timeouts never flatter the tail.
  assert.ok(st.latencyMs.p50! >= 300, `timeouts recorded at ${st.latencyMs.p50} ms`);
});

test('a run stops at the profile end and waits at most the grace period', async (t) => {
  const slow = await startTarget({ delayMs: 5000 });
  t.after(() => slow.stop());
  const started = performance.now();
  const h = await runLoad({ url: slow.url, profile: { kind: 'constant', rate: 20, durationS: 0.5 }, threads: 1, timeoutMs: 60_000, graceMs: 300, slackMs: 1000 });
  const took = performance.now() - started;
  assert.ok(took < 3000, `run took ${took} ms; the profile is 0.5 s and the grace 0.3 s`);
  const s = summarize(h);
  assert.deepEqual(s.statusCounts, { ok: 0, timeout: 10 });
  assert.equal(h.measurements?.abandonedAfterGrace, 10);
});

test('aborting a run ends its schedule early; the summary rates the time it ran', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 1000);
  const h = await runLoad({ url: plain.url, profile: { kind: 'constant', rate: 200, durationS: 30 }, threads: 1, slackMs: 1000, signal: ac.signal });
  const s = summarize(h);
  const stoppedAt = h.measurements?.stoppedAtMs ?? 0;
  assert.ok(stoppedAt >= 900 && stoppedAt < 5000, `stopped at ${stoppedAt} ms`);
  assert.equal(s.dropped, 0);
  assert.ok(Math.abs(s.requests - (stoppedAt / 1000) * 200) <= 2, `${s.requests} requests in ${stoppedAt} ms`);
  assert.ok(Math.abs(s.achievedRate / 200 - 1) <= 0.02, `achieved ${s.achievedRate}/s`);
  assert.equal(h.seconds.length, 30);
});

test('non-loopback targets are refused unless allowRemote', async () => {
  await assert.rejects(runLoad({ url: 'http://192.0.2.1/', profile: { kind: 'constant', rate: 1, durationS: 1 } }), /only loopback/);
});
