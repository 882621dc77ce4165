/**
 * The generated files under dashboards/ (the SLO rule file, the Grafana dashboards' JSON)
 * are committed; this fails when one no longer matches its sources, so a change to the
 * SLOs or a panel cannot be merged without `npm run dashboards`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatedFiles, staleFiles } from '../../dashboards/generate.ts';

test('the committed rules and dashboards match what their sources generate', () => {
  assert.deepEqual(staleFiles(), [], 'run `npm run dashboards` and commit the result');
});

test('every dashboard panel has a PromQL query and no Grafana-only variable in it', () => {
  for (const f of generatedFiles().filter((x) => x.path.endsWith('.json'))) {
    const d = JSON.parse(f.content) as { panels: Array<{ type: string; title: string; targets?: Array<{ expr?: string }> }> };
    const panels = d.panels.filter((p) => p.type !== 'row');
    assert.ok(panels.length >= 4, `${f.path} has panels`);
    for (const p of panels) {
      assert.ok(p.targets?.length, `${p.title} has a query`);
      for (const t of p.targets!) assert.ok(t.expr && !t.expr.includes('$'), `${p.title}: ${t.expr}`);
    }
  }
});
