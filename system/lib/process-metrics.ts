/**
 * The process's own health series: the few an SRE reads when a service misbehaves — CPU,
 * memory, open files, event-loop delay, GC pauses — each cheap to collect.
 *
 * Not prom-client's collectDefaultMetrics, on purpose: measured in situ (`nines start`, one
 * scrape every 15 s, CPU from /proc/<pid>/task/∗/schedstat), a scrape cost each process
 * 3–5 ms of CPU, most of it the defaults' ~50 series; its event-loop collector alone took
 * ~1 ms, because mean, stddev and three percentiles each walk the whole HDR histogram. With
 * six processes scraped, that was most of an idle stack's CPU. Here each series is one cheap
 * call, and the event-loop delay reports the two figures that matter against a latency SLA:
 * the p99 and the maximum since the last scrape.
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProcessMetricsOptions {
  /** Metric name prefix, e.g. 'nines_'. */
  prefix: string;
  /**
   * How often the event-loop monitor samples, in ms. Each sample wakes an idle process, and
   * wakes are most of what an idle service costs here (~90 µs of CPU each in this VM): at
   * 1000 ms the monitor costs ~0.09 ms of CPU a second, at 500 ms 0.18, at prom-client's
   * default 10 ms ~7. A stall of 1 s or more is always seen; a shorter one when a sample
   * falls due inside it (a 600 ms stall: 3 times in 5). It is a diagnostic: the latency
   * SLI is the api's request histogram, which sees every slow request.
   */
  eventLoopResolutionMs: number;
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

export function registerProcessMetrics(registry: Registry, o: ProcessMetricsOptions): void {
  const registers = [registry];
  const name = (n: string) => `${o.prefix}${n}`;
  let lastCpu = process.cpuUsage();
  new Counter({
    name: name('process_cpu_seconds_total'),
    help: 'User and system CPU time spent, in seconds.',
    registers,
    collect() {
      const now = process.cpuUsage();
      this.inc((now.user - lastCpu.user + now.system - lastCpu.system) / 1e6);
      lastCpu = now;
    },
  });
  new Gauge({ name: name('process_start_time_seconds'), help: 'Start time of the process since the Unix epoch, in seconds.', registers }).set(Math.round(Date.now() / 1000 - process.uptime()));
  new Gauge({ name: name('process_resident_memory_bytes'), help: 'Resident memory size, in bytes.', registers, collect() { this.set(process.memoryUsage.rss()); } });
  new Gauge({ name: name('process_open_fds'), help: 'Open file descriptors (sockets included): a leak shows here before EMFILE does.', registers, collect() { this.set(openFds()); } });
  const heap = new Gauge({ name: name('nodejs_heap_bytes'), help: 'V8 heap: used and total (reserved) bytes, and external memory (Buffers).', labelNames: ['kind'] as const, registers, collect() {
    const m = process.memoryUsage();
    heap.set({ kind: 'used' }, m.heapUsed);
    heap.set({ kind: 'total' }, m.heapTotal);
    heap.set({ kind: 'external' }, m.external);
  } });
  registerEventLoopDelay(registry, name, o.eventLoopResolutionMs);
  registerGc(registry, name);
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length - 1; // less the one readdir itself opened
  } catch {
    return -1; // not Linux: no /proc
  }
}

function registerEventLoopDelay(registry: Registry, name: (n: string) => string, resolutionMs: number): void {
  // perf_hooks' sampler runs in C++: ~90 µs of CPU per idle wake here, against ~220 µs for a
  // JavaScript setInterval doing the same (measured: 0.18 and 0.45 ms per second at 500 ms).
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  const max = new Gauge({ name: name('nodejs_eventloop_delay_max_seconds'), help: 'Longest event-loop delay since the last scrape.', registers: [] });
  // Registered after p99, whose collect sets both (a registry collects in registration order).
  new Gauge({
    name: name('nodejs_eventloop_delay_p99_seconds'),
    help: `99th percentile of event-loop delay since the last scrape (how late a sample due every ${resolutionMs} ms ran).`,
    registers: [registry],
    collect() {
      // Node records the time between two samples, the resolution included: that is taken off.
      const delay = (ns: number) => Math.max(0, ns / 1e9 - resolutionMs / 1000);
      const seen = h.count > 0;
      this.set(seen ? delay(h.percentile(99)) : 0);
      max.set(seen ? delay(h.max) : 0);
      // A reset also forgets when the last sample ran, so the first sample after it only marks
      // the time: a stall ending exactly there goes unseen (1 sample in 15 at nines start's
      // 15 s scrapes). Not resetting an interval that recorded nothing keeps scrapes more
      // frequent than samples (scenarios scrape every 1 s) from blinding every sample.
      if (seen) h.reset();
    },
  });
  registry.registerMetric(max);
}

function registerGc(registry: Registry, name: (n: string) => string): void {
  const gc = new Histogram({
    name: name('nodejs_gc_duration_seconds'),
    help: 'Garbage collection pauses by kind (minor: scavenge; major: mark-compact).',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
    registers: [registry],
  });
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      gc.observe({ kind: GC_KINDS[e.detail?.kind ?? 0] ?? 'other' }, e.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}
