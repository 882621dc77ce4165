/**
 * Attributes process CPU time to the jobs running in it. Node 20 has no per-thread CPU
 * clock and sharp works on libuv threads, so we sample `process.cpuUsage()` whenever a job
 * starts or ends and share each interval's CPU equally among the jobs in flight during it.
 * Exact when one job runs at a time; a fair share when several overlap.
 */
export class CpuMeter {
  private last = process.cpuUsage();
  private readonly running = new Map<string, number>(); // jobId -> accumulated µs

  private sample(): void {
    const now = process.cpuUsage();
    const delta = now.user - this.last.user + (now.system - this.last.system);
    this.last = now;
    if (this.running.size === 0) return;
    const share = delta / this.running.size;
    for (const [id, us] of this.running) this.running.set(id, us + share);
  }

  start(jobId: string): void {
    this.sample();
    this.running.set(jobId, 0);
  }

  /** Ends a job's accounting and returns its CPU time in milliseconds. */
  stop(jobId: string): number {
    this.sample();
    const us = this.running.get(jobId) ?? 0;
    this.running.delete(jobId);
    return us / 1000;
  }
}
