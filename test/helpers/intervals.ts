/**
 * Fakes setInterval/clearInterval for one test (faking time, nothing else): the test sees
 * which intervals are armed and fires them itself. For asserting that an idle component
 * keeps no timer — unref'd timers are invisible to process.getActiveResourcesInfo().
 */
import type { TestContext } from 'node:test';

export interface FakeIntervals {
  /** Intervals armed now. */
  readonly armed: number;
  /** Runs every armed interval's callback once, as if its period had passed. */
  fire(): void;
}

export function fakeIntervals(t: TestContext): FakeIntervals {
  const armed = new Set<{ run: () => void }>();
  t.mock.method(globalThis, 'setInterval', (run: () => void) => {
    const handle = { run, unref: () => handle, ref: () => handle };
    armed.add(handle);
    return handle;
  });
  t.mock.method(globalThis, 'clearInterval', (handle: { run: () => void } | undefined) => {
    if (handle) armed.delete(handle);
  });
  return {
    get armed() {
      return armed.size;
    },
    fire: () => [...armed].forEach((h) => h.run()),
  };
}
