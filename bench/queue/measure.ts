/**
 * One phase of bench/queue.ts measured from /proc: the CPU a broker process used meanwhile
 * (utime + stime of all its threads), this process's own, and how busy each of the two
 * CPUs was (the broker's and the load generator's), so a row shows which side ran out.
 */
import { busyWhile, cpuSecondsOf } from '../proc.ts';

/** The CPU the broker under test is pinned to, and the one this bench and its clients run on. */
export const BROKER_CPU = 0;
export const BENCH_CPU = 1;

export interface Measured<T> {
  result: T;
  /** CPU seconds the broker process used during the phase. */
  brokerCpuS: number;
  /** CPU seconds this process (the simulated clients) used. */
  benchCpuS: number;
  /** Busy share, 0–1, of the broker's CPU and of the bench's. */
  brokerCpuBusy: number;
  benchCpuBusy: number;
  /**
   * Share of each CPU other processes took meanwhile (busy minus our own process's share):
   * the machine is shared, and a broker preempted by someone else's tests fails a rate it
   * would carry on a CPU of its own.
   */
  othersOnBrokerCpu: number;
  othersOnBenchCpu: number;
  wallS: number;
}

export async function measured<T>(brokerPid: number, phase: () => Promise<T>): Promise<Measured<T>> {
  const broker0 = cpuSecondsOf(brokerPid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const outer = await busyWhile(() => busyWhile(phase, BENCH_CPU), BROKER_CPU);
  const self = process.cpuUsage(self0);
  const wallS = (performance.now() - t0) / 1000;
  const brokerCpuS = cpuSecondsOf(brokerPid) - broker0;
  const benchCpuS = (self.user + self.system) / 1e6;
  return {
    result: outer.result.result,
    brokerCpuS,
    benchCpuS,
    brokerCpuBusy: outer.busy,
    benchCpuBusy: outer.result.busy,
    othersOnBrokerCpu: Math.max(0, outer.busy - brokerCpuS / wallS),
    othersOnBenchCpu: Math.max(0, outer.result.busy - benchCpuS / wallS),
    wallS,
  };
}
