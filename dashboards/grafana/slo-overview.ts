/**
 * The SLO overview: per objective, the SLI now, the error budget left and the burn rates
 * over the windows the alerts use, all read from the recording rules
 * (dashboards/prometheus/rules/slo.yml), never recomputed here.
 */
import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { errorRatioRecord, slos, type Slo } from '../slos.ts';
import { stat, timeseries } from './panels.ts';

const sel = (s: Slo) => `{slo="${s.name}"}`;

function sloRow(d: DashboardBuilder, s: Slo): void {
  d.withRow(new RowBuilder(`${s.name}: ${(s.objective * 100).toFixed(2)} % — ${s.description}`));
  d.withPanel(stat('SLI now (1h)', 'percentunit', { expr: `1 - ${errorRatioRecord('1h')}${sel(s)}` }));
  d.withPanel(stat('SLI over 30 days', 'percentunit', { expr: `1 - ${errorRatioRecord('30d')}${sel(s)}` }));
  d.withPanel(stat('Error budget left (30 days)', 'percentunit', { expr: `slo:error_budget_remaining:ratio${sel(s)}` }));
  d.withPanel(stat('Objective', 'percentunit', { expr: `slo:objective:ratio${sel(s)}` }));
  d.withPanel(
    timeseries(
      'Burn rate (1 = the budget lasts exactly 30 days)',
      'x',
      ['5m', '1h', '6h', '3d'].map((w) => ({ expr: `${errorRatioRecord(w)}${sel(s)} / on(slo) slo:error_budget:ratio${sel(s)}`, legend: w })),
      24,
    ),
  );
}

/** The SLO overview dashboard. */
export function sloOverview(): DashboardBuilder {
  const d = new DashboardBuilder('nines — SLO overview')
    .uid('nines-slo-overview')
    .tags(['nines', 'slo'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  for (const s of slos) sloRow(d, s);
  return d;
}
