/**
 * The libuv pool a worker needs (system/worker/threadpool.ts): sized from its concurrency,
 * read as libuv reads it, and a pool smaller than the resizes asked for is named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { threadpoolShortfall, threadpoolSize, threadpoolSizeFor } from '../../../system/worker/threadpool.ts';

test('a worker of N resizes at once asks for N + 2 pool threads, never fewer than libuv’s 4', () => {
  assert.equal(threadpoolSizeFor(1), 4);
  assert.equal(threadpoolSizeFor(3), 5);
  assert.equal(threadpoolSizeFor(33), 35);
});

test('the pool size as libuv reads it: unset or unusable is 4', () => {
  assert.equal(threadpoolSize({}), 4);
  assert.equal(threadpoolSize({ UV_THREADPOOL_SIZE: '35' }), 35);
  assert.equal(threadpoolSize({ UV_THREADPOOL_SIZE: 'lots' }), 4);
  assert.equal(threadpoolSize({ UV_THREADPOOL_SIZE: '0' }), 4);
});

test('a pool smaller than the concurrency is reported with the setting that fixes it', () => {
  assert.equal(threadpoolShortfall(3, {}), undefined);
  assert.equal(threadpoolShortfall(4, {}), undefined);
  const short = threadpoolShortfall(33, {});
  assert.match(short ?? '', /UV_THREADPOOL_SIZE is 4: at most 4 of the 33 resizes/);
  assert.match(short ?? '', /UV_THREADPOOL_SIZE=35/);
  assert.equal(threadpoolShortfall(33, { UV_THREADPOOL_SIZE: '35' }), undefined);
});
