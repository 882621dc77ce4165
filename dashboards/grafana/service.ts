/**
 * The service dashboard: what each tier is doing, from the processes' own metrics
 * (system/*\/metrics.ts): requests and errors at the api, latency percentiles from its
 * histogram, the queue (depth, dispatch wait), worker utilisation, broker leadership
 * (failovers show as a new epoch), the usage pipeline's backlog, and each process's CPU,
 * memory, event-loop delay and GC pauses.
 */
import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { timeseries } from './panels.ts';

const RESIZE = 'route="/v1/resize"';
const quantile = (q: number, metric: string, by = '') =>
  `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}[1m])))`;

function apiRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('api'));
  d.withPanel(timeseries('Requests by status class', 'reqps', [{ expr: `sum by (status_class) (rate(nines_api_request_duration_seconds_count{${RESIZE}}[1m]))`, legend: '{{status_class}}' }]));
  d.withPanel(timeseries('Errors by code', 'reqps', [{ expr: `sum by (status, code) (rate(nines_api_requests_total{${RESIZE},status!~"2.."}[1m]))`, legend: '{{status}} {{code}}' }]));
  d.withPanel(
    timeseries('Latency percentiles, images under 1 MB (SLO: 99 % within 500 ms)', 's', [0.5, 0.9, 0.99].map((q) => ({
      expr: quantile(q, `nines_api_request_duration_seconds_bucket{${RESIZE},size_class="lt1mb",status_class!="4xx"}`),
      legend: `p${q * 100}`,
    }))),
  );
  d.withPanel(timeseries('Latency p99 by size class', 's', [{ expr: quantile(0.99, `nines_api_request_duration_seconds_bucket{${RESIZE},status_class!="4xx"}`, 'size_class'), legend: '{{size_class}}' }]));
  d.withPanel(timeseries('In flight per api server', 'short', [{ expr: 'sum by (instance) (nines_api_in_flight)', legend: '{{instance}}' }]));
  d.withPanel(timeseries('Queue round trip p99 (publish to reply)', 's', [{ expr: quantile(0.99, 'nines_api_queue_round_trip_seconds_bucket') , legend: 'p99' }]));
}

function queueRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('queue'));
  d.withPanel(timeseries('Queue depth and in flight, per shard', 'short', [
    { expr: 'max by (shard) (nines_broker_queue_depth)', legend: 'queued, shard {{shard}}' },
    { expr: 'max by (shard) (nines_broker_inflight)', legend: 'in flight, shard {{shard}}' },
  ]));
  d.withPanel(timeseries('Dispatch wait (enqueue to dispatch)', 's', [0.5, 0.99].map((q) => ({ expr: quantile(q, 'nines_broker_queue_wait_seconds_bucket'), legend: `p${q * 100}` }))));
  d.withPanel(timeseries('Jobs by outcome', 'ops', [{ expr: 'sum by (outcome) (rate(nines_broker_jobs_total[1m]))', legend: '{{outcome}}' }]));
  d.withPanel(timeseries('Leader epoch per broker (a step is a failover)', 'short', [{ expr: 'max by (instance, shard) (nines_broker_leader_epoch)', legend: '{{instance}} shard {{shard}}' }]));
}

function workerUsageRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('workers and usage'));
  d.withPanel(timeseries('Worker utilisation (resize CPU seconds per second)', 'percentunit', [{ expr: 'sum by (instance) (rate(nines_worker_job_cpu_seconds_sum[1m]))', legend: '{{instance}}' }]));
  d.withPanel(timeseries('Jobs resizing now', 'short', [{ expr: 'sum by (instance) (nines_worker_jobs_in_flight)', legend: '{{instance}}' }]));
  d.withPanel(timeseries('Usage ingest lag: records staged at api servers, not yet acked', 'short', [{ expr: 'sum by (instance) (nines_api_usage_pending_records)', legend: '{{instance}}' }]));
  d.withPanel(timeseries('Usage ingest: records stored per second', 'ops', [{ expr: 'sum(rate(nines_usage_records_total[1m]))', legend: 'records/s' }]));
  d.withPanel(timeseries('Targets up', 'short', [{ expr: 'sum by (job) (up)', legend: '{{job}}' }], 24));
}

/** Each process's own series (system/lib/process-metrics.ts): where a slow tier's time goes. */
function processRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('processes'));
  d.withPanel(timeseries('CPU per process (cores busy)', 'short', [{ expr: 'sum by (instance) (rate(nines_process_cpu_seconds_total[1m]))', legend: '{{instance}}' }]));
  d.withPanel(timeseries('Resident memory per process', 'bytes', [{ expr: 'max by (instance) (nines_process_resident_memory_bytes)', legend: '{{instance}}' }]));
  d.withPanel(timeseries('Event-loop delay, longest per scrape', 's', [{ expr: 'max by (instance) (nines_nodejs_eventloop_delay_max_seconds)', legend: '{{instance}}' }]));
  d.withPanel(timeseries('Time in GC pauses (seconds per second)', 'percentunit', [{ expr: 'sum by (instance, kind) (rate(nines_nodejs_gc_duration_seconds_sum[1m]))', legend: '{{instance}} {{kind}}' }]));
}

/** The service dashboard. */
export function serviceDashboard(): DashboardBuilder {
  const d = new DashboardBuilder('nines — service')
    .uid('nines-service')
    .tags(['nines'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  apiRow(d);
  queueRow(d);
  workerUsageRow(d);
  processRow(d);
  return d;
}
