/**
 * Teardown in reverse order of setup, as Go's defer: node:test runs a test's `t.after` hooks
 * in the order they were added, so a dependency started first (Consul) would be stopped
 * before what uses it (an election, which then spends its stop retrying a dead agent).
 */
import type { TestContext } from 'node:test';

const stacks = new WeakMap<TestContext, Array<() => unknown>>();

/** Runs `fn` when the test ends, before everything deferred earlier in the same test. */
export function defer(t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const fns: Array<() => unknown> = [];
    stacks.set(t, (stack = fns));
    t.after(async () => {
      for (const f of fns.reverse()) await f();
    });
  }
  stack.push(fn);
}
