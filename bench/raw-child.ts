/**
 * A raw-sharp process for the benchmarks (bench/raw-sharp.ts `startRawProcesses`): takes
 * an image and resize parameters once, then runs a phase of raw sharp for every
 * `{ seconds }` it is sent and answers with the resizes done and the CPU they took.
 */
import type { ResizeParams } from '../system/lib/jobs.ts';
import { rawSharp } from './raw-sharp.ts';

interface Setup {
  image: Buffer;
  params: ResizeParams;
  inFlight: number;
}

let setup: Setup | undefined;
process.on('message', (m: Setup | { seconds: number }) => {
  if ('image' in m) {
    setup = { ...m, image: Buffer.from(m.image) };
    process.send!('ready');
    return;
  }
  const s = setup!;
  const c0 = process.cpuUsage();
  void rawSharp(s.image, s.params, m.seconds, s.inFlight).then((n) => {
    const c = process.cpuUsage(c0);
    process.send!({ n, cpuMs: (c.user + c.system) / 1000 });
  });
});
process.on('disconnect', () => process.exit(0));
