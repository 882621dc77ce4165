// The nemesis on a fake clock: the schedule comes from the scenario's data, every operation
// is logged, leader-deposing faults carry their shard and epoch, and teardown heals (and
// logs) whatever is still broken. Only time is faked; the driver is a stand-in recording calls.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Nemesis, faultWindows, schedule, type FaultDriver } from '../../../harness/faults/nemesis.ts';
import type { FaultStep } from '../../../harness/model/scenario.ts';

const kill: FaultStep = { name: 'kill leader', atS: 2, fault: { kind: 'kill', target: 'leader-broker', shard: 1 } };
const cut: FaultStep = { name: 'cut api-consul', atS: 1, forS: 3, fault: { kind: 'partition', path: 'api-consul' } };
const slow: FaultStep = { name: 'slow leader-consul', atS: 4, forS: 10, fault: { kind: 'toxic', toxic: 'latency', path: 'leader-consul', attributes: { latency: 500 } } };

/** A driver that records what it was asked, and fails to start any fault named in `failing`. */
function recordingDriver(failing: string[] = []): FaultDriver & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async start(name) {
      calls.push(`start ${name}`);
      if (failing.includes(name)) throw new Error('no such process');
      return async () => void calls.push(`heal ${name}`);
    },
    async healAll() {
      calls.push('healAll');
    },
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

test('the schedule is the timeline as start and heal ops in time order; a one-shot fault has no heal', () => {
  const ops = schedule([kill, cut, slow]).map((o) => `${o.atMs} ${o.f} ${o.step.name}`);
  assert.deepEqual(ops, ['1000 start cut api-consul', '2000 start kill leader', '4000 heal cut api-consul', '4000 start slow leader-consul', '14000 heal slow leader-consul']);
});

test('the nemesis plays the schedule, logs every op, and heals what is still broken in teardown', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let clock = 50_000;
    const driver = recordingDriver();
    const epochs = new Map([[1, 7], [0, 3]]);
    const nemesis = new Nemesis({ driver, epochOf: async (s) => epochs.get(s) ?? 0, now: () => clock });
    nemesis.play([kill, cut, slow], 50_000);
    for (const to of [1000, 2000, 4000, 6000]) {
      const from = clock;
      clock = 50_000 + to; // fake time moves to `to` ms after second 0
      mock.timers.tick(clock - from);
      await flush();
    }
    await nemesis.healAll(); // the load ended at 6 s: the toxic is still on
    assert.deepEqual(driver.calls, ['start cut api-consul', 'start kill leader', 'heal cut api-consul', 'start slow leader-consul', 'heal slow leader-consul', 'healAll']);
    const ops = nemesis.ops.map((o) => [o.f, o.fault, o.t, o.ok, o.deposes ?? null, o.oneShot ?? false]);
    assert.deepEqual(ops, [
      ['start', 'cut api-consul', 1000, true, null, false],
      ['start', 'kill leader', 2000, true, { shard: 1, epochBefore: 7 }, true],
      ['heal', 'cut api-consul', 4000, true, null, false],
      ['start', 'slow leader-consul', 4000, true, { shard: 0, epochBefore: 3 }, false],
      ['heal', 'slow leader-consul', 6000, true, null, false],
    ]);
    assert.deepEqual(nemesis.windows(), [
      { name: 'cut api-consul', startMs: 1000, endMs: 4000 },
      { name: 'kill leader', startMs: 2000, endMs: 2000 },
      { name: 'slow leader-consul', startMs: 4000, endMs: 6000 },
    ]);
  } finally {
    mock.timers.reset();
  }
});

test('a fault that cannot start is logged as failed, gets an empty window, and is never healed', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const driver = recordingDriver(['cut api-consul']);
    const said: string[] = [];
    const nemesis = new Nemesis({ driver, epochOf: async () => 0, now: () => 0, say: (l) => said.push(l) });
    nemesis.play([cut], 0);
    mock.timers.tick(5000);
    await flush();
    await nemesis.healAll();
    assert.deepEqual(driver.calls, ['start cut api-consul', 'healAll']);
    assert.equal(nemesis.ops.length, 1);
    assert.equal(nemesis.ops[0]!.ok, false);
    assert.equal(nemesis.ops[0]!.error, 'no such process');
    assert.match(said[0]!, /could not start: no such process/);
  } finally {
    mock.timers.reset();
  }
});

test('ops not yet due when the load ends never start', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const driver = recordingDriver();
    const nemesis = new Nemesis({ driver, epochOf: async () => 0, now: () => 0 });
    nemesis.play([kill, slow], 0);
    mock.timers.tick(3000);
    await flush();
    await nemesis.healAll();
    assert.deepEqual(driver.calls, ['start kill leader', 'healAll']);
  } finally {
    mock.timers.reset();
  }
});

test('fault windows from ops: open while never healed, closed by the heal that completed', () => {
  const w = faultWindows([
    { t: 100, done: 120, f: 'start', fault: 'a', kind: 'pause', ok: true },
    { t: 200, done: 210, f: 'start', fault: 'b', kind: 'toxic', ok: true },
    { t: 900, done: 950, f: 'heal', fault: 'a', kind: 'pause', ok: false, error: 'gone' },
  ]);
  assert.deepEqual(w, [{ name: 'a', startMs: 100, endMs: 950 }, { name: 'b', startMs: 200 }]);
});
