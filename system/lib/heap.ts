/**
 * V8 heap headroom for a process with a small live heap that streams large bodies through
 * its young generation (the api: ~26 MB live, ~50 MB/s of request bodies).
 *
 * V8 starts incremental marking whenever the old generation's headroom (its allocation
 * limit minus the live size) is smaller than the new space's capacity. The limit is the
 * live size times a growing factor V8 picks from its GC and mutator speeds, often ~1.5 here,
 * so the headroom (~12 MB) sat under a new space grown to 16 MB by the body traffic, and the
 * api marked without pause: a mark-compact every 250 ms freeing ~1 MB each, 3–4 ms of CPU
 * per request, half the process's CPU (seen with --trace-incremental-marking, "Start
 * (task)"/"Start (allocation limit)" with 12 MB of slack). A fixed factor of 1 + p/100
 * with p = 200 leaves ~2× live of headroom: mark-compacts every few seconds instead.
 * The cost is memory: the heap may grow to ~3× its live size (~80 MB) before a full GC.
 *
 * V8 reads this flag at every GC, so setting it once the process runs takes effect.
 */
import { setFlagsFromString } from 'node:v8';

/** 0 leaves V8's adaptive factor. */
export function setHeapGrowingPercent(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
