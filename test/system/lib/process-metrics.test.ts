/**
 * The process's own series (system/lib/process-metrics.ts): the lean set every service
 * exports, and an event-loop stall showing in the delay it reports — once, for its scrape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from '../../../system/lib/metrics.ts';
import { seriesSum } from '../../helpers/metrics.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('every service exports the lean process series, labelled with its service', async () => {
  const r = createRegistry('worker', { shard: '0' });
  const names = (await r.getMetricsAsJSON()).map((m) => m.name).sort();
  assert.deepEqual(names, [
    'nines_nodejs_eventloop_delay_max_seconds',
    'nines_nodejs_eventloop_delay_p99_seconds',
    'nines_nodejs_gc_duration_seconds',
    'nines_nodejs_heap_bytes',
    'nines_process_cpu_seconds_total',
    'nines_process_open_fds',
    'nines_process_resident_memory_bytes',
    'nines_process_start_time_seconds',
  ]);
  const text = await r.metrics();
  const v = (name: string) => seriesSum(text, name, 'service="worker"', 'shard="0"');
  assert.ok(v('nines_process_resident_memory_bytes') > 10e6, 'a Node process holds more than 10 MB');
  assert.ok(v('nines_process_cpu_seconds_total') > 0);
  assert.ok(v('nines_process_open_fds') > 2, 'at least stdin, stdout, stderr');
  assert.ok(Math.abs(v('nines_process_start_time_seconds') - (Date.now() / 1000 - process.uptime())) < 2);
});

test('a stall of the event loop shows in the delay of its own scrape, and not in the next', async () => {
  const r = createRegistry('api');
  const maxDelay = async () => seriesSum(await r.metrics(), 'nines_nodejs_eventloop_delay_max_seconds', 'service="api"');
  await r.metrics(); // starts a fresh interval
  await sleep(1100); // its first sample only marks the time (see registerEventLoopDelay)
  const cpu0 = process.cpuUsage();
  const until = Date.now() + 1500;
  while (Date.now() < until); // the loop blocked past a sample's due time (every 1000 ms)
  await sleep(1100);
  const stalled = await maxDelay();
  assert.ok(stalled >= 0.5, `max ${stalled}`);
  const cpu1 = process.cpuUsage(cpu0);
  assert.ok(cpu1.user + cpu1.system >= 1e6, 'the stall was a busy second');
  await sleep(2100);
  assert.ok((await maxDelay()) < 0.2, 'the stall was reported once');
});
