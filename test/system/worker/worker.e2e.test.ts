/**
 * A real worker in a real local stack: started with the libuv pool its concurrency needs,
 * counting which decoder read each image, and saying so when its pool is too small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, resizeReq, startTestStack } from '../../helpers/stack.ts';
import { metricSum } from '../../helpers/metrics.ts';

test('the launcher sizes the pool; JPEGs take the fast path, PNGs are counted as declined', async (t) => {
  const s = await startTestStack({ workers: 1, workerConcurrency: 5 });
  t.after(() => s.dispose());
  const worker = s.workers[0]!;
  const environ = readFileSync(`/proc/${worker.pid}/environ`, 'utf8').split('\0');
  assert.ok(environ.includes('UV_THREADPOOL_SIZE=7'), 'a worker of 5 resizes starts with 7 pool threads');

  const jpeg = await resizeReq(s, fixture('2569067123_aca715a2ee_o.jpg'), { query: 'width=320', contentType: 'image/jpeg' });
  assert.equal(jpeg.status, 200);
  const png = await resizeReq(s, fixture('with-alpha.png'), { query: 'width=32', contentType: 'image/png' });
  assert.equal(png.status, 200);
  const metrics = `http://127.0.0.1:${worker.info.httpPort}`;
  assert.equal(await metricSum(metrics, 'nines_worker_decodes_total', 'decoder="turbojpeg"', 'declined="none"'), 1);
  assert.equal(await metricSum(metrics, 'nines_worker_decodes_total', 'decoder="sharp"', 'declined="not_jpeg"'), 1);
});

test('a worker whose pool is smaller than its concurrency logs how to fix it', async (t) => {
  const s = await startTestStack({ workers: 1, workerConcurrency: 3, env: { worker: { UV_THREADPOOL_SIZE: '2' } } });
  t.after(() => s.dispose());
  const log = readFileSync(join(s.workers[0]!.spec.logFile), 'utf8');
  assert.match(log, /"level":40.*UV_THREADPOOL_SIZE is 2: at most 2 of the 3 resizes asked for.*UV_THREADPOOL_SIZE=5/);
});
