/**
 * The peak resident memory of some processes, sampled from /proc every `everyMs`: how the
 * slow-clients and noisy-neighbour scenarios show the api's memory stays bounded while
 * thousands of connections and refusals go through it. Linux only; elsewhere it reports 0.
 */
import { readFileSync } from 'node:fs';

export interface RssSampler {
  /** Highest RSS seen in any one of the processes, MiB. */
  peakMb(): number;
  stop(): void;
}

const rssKb = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // exited between samples
  }
};

export function sampleRss(pids: number[], everyMs = 250): RssSampler {
  let peak = 0;
  const sample = () => {
    for (const pid of pids) peak = Math.max(peak, rssKb(pid));
  };
  sample();
  const timer = setInterval(sample, everyMs).unref();
  return { peakMb: () => Math.round((peak / 1024) * 10) / 10, stop: () => clearInterval(timer) };
}
