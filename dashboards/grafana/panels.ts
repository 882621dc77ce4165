/**
 * The few panel shapes both dashboards use, on @grafana/grafana-foundation-sdk. Every query
 * is plain PromQL (no Grafana variables such as $__rate_interval), so the query test
 * (test/dashboards/queries.e2e.test.ts) can send it to a real Prometheus unchanged.
 */
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** Every panel reads the datasource the dashboard's `datasource` variable picks. */
export const datasource: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export interface Query {
  expr: string;
  legend?: string;
}

const target = (q: Query, i: number) =>
  new DataqueryBuilder()
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto')
    .refId(String.fromCharCode(65 + i));

/** A time series panel of `queries`, `span` grid columns wide (of 24). */
export function timeseries(title: string, unit: string, queries: Query[], span = 12): TimeseriesBuilder {
  const p = new TimeseriesBuilder().title(title).datasource(datasource).unit(unit).span(span).height(8);
  queries.forEach((q, i) => p.withTarget(target(q, i)));
  return p;
}

/** A single-value panel of one instant query. */
export function stat(title: string, unit: string, q: Query, span = 6): StatBuilder {
  return new StatBuilder().title(title).datasource(datasource).unit(unit).span(span).height(4).withTarget(target(q, 0).instant());
}
