/**
 * The usage batcher's resend timer, on the batcher alone (usage.e2e.test.ts covers batches
 * over the real broker to the real usage service). Only time is faked: the intervals fire
 * when the test says; the "bus" records what would have been published.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { UsageBatcher } from '../../../system/api/usage-batcher.ts';
import type { UsageBatch } from '../../../system/usage/types.ts';
import { fakeIntervals } from '../../helpers/intervals.ts';

const record = (requestId: string) => ({ requestId, tenantId: 't', keyId: 'k', at: new Date(0).toISOString(), status: 200, inputBytes: 1, outputBytes: 1, cpuMs: 1, durationMs: 1 });

test('the resend timer runs only while a batch waits for its ack: an idle api server keeps no timer', (t) => {
  const timers = fakeIntervals(t);
  const sent: UsageBatch[] = [];
  const bus = { connected: true, publish: (_topic: string, message: string | Buffer) => sent.push(JSON.parse(message.toString()) as UsageBatch) };
  // resendMs 0: every tick of the timer finds the pending batch due again.
  const batcher = new UsageBatcher(bus, { apiId: 'api-1', maxRecords: 1, maxAgeMs: 1000, resendMs: 0, maxPendingRecords: 100 }, pino({ level: 'silent' }), new Registry());
  assert.equal(timers.armed, 0, 'nothing pending, nothing to resend');
  batcher.add(record('r1'));
  assert.equal(sent.length, 1);
  assert.equal(timers.armed, 1, 'armed by the batch sent');
  timers.fire();
  assert.deepEqual(sent.map((b) => b.batchId), [sent[0]!.batchId, sent[0]!.batchId], 'unacked: resent, same id');
  batcher.onAck(sent[0]!.batchId);
  assert.equal(timers.armed, 0, 'disarmed by the last ack');
  assert.equal(batcher.pendingRecords, 0);
  batcher.close();
});
