import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../../system/lib/buffer-pool.ts';

test('a released buffer is handed out again; one still held is not', () => {
  const pool = new BufferPool(1 << 20);
  const a = pool.acquire(100_000);
  assert.equal(a.length, 100_000);
  const b = pool.acquire(100_000);
  assert.notEqual(a.buffer, b.buffer, 'two live buffers never share memory');
  pool.release(a);
  const c = pool.acquire(90_000);
  assert.equal(c.buffer, a.buffer, 'same size class: the released memory is reused');
  assert.equal(c.length, 90_000);
  assert.equal(pool.outstanding, 2);
});

test('retain keeps a buffer out of the pool until every holder releases it', () => {
  const pool = new BufferPool(1 << 20);
  const a = pool.acquire(70_000);
  pool.retain(a);
  pool.release(a);
  const b = pool.acquire(70_000);
  assert.notEqual(b.buffer, a.buffer, 'still held once: not reused');
  pool.release(a);
  assert.equal(pool.acquire(70_000).buffer, a.buffer);
});

test('a double release, or releasing a foreign buffer, cannot hand one buffer to two holders', () => {
  const pool = new BufferPool(1 << 20);
  const a = pool.acquire(1000);
  pool.release(a);
  pool.release(a);
  pool.release(Buffer.alloc(1000));
  const x = pool.acquire(1000);
  const y = pool.acquire(1000);
  assert.notEqual(x.buffer, y.buffer);
});

test('idle memory is capped: beyond maxPooledBytes released buffers are left to the GC', () => {
  const pool = new BufferPool(128 * 1024);
  const bufs = [pool.acquire(100_000), pool.acquire(100_000), pool.acquire(100_000)];
  for (const b of bufs) pool.release(b);
  assert.equal(pool.idle, 128 * 1024, 'one 128 KiB buffer kept idle, two dropped');
  assert.equal(pool.outstanding, 0);
});

test('a forgotten buffer is never reused (a write may still read it)', () => {
  const pool = new BufferPool(1 << 20);
  const a = pool.acquire(5000);
  pool.forget(a);
  pool.release(a);
  assert.equal(pool.idle, 0);
  assert.notEqual(pool.acquire(5000).buffer, a.buffer);
});
