/**
 * The Prometheus files as an operator installs them, checked by Prometheus's own tool:
 * the configuration and the rules parse (`promtool check`), and the SLO rules behave on
 * known series (`promtool test rules`: healthy fires nothing, a fast burn pages, a slow
 * burn tickets without paging, the budget left is right). The cases are in
 * dashboards/prometheus/tests/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusConfig } from '../../harness/stack/prometheus.ts';
import { tool } from '../../harness/stack/tools.ts';
import { repoRoot } from '../../harness/stack/process.ts';

const dir = join(repoRoot, 'dashboards', 'prometheus');

function promtool(...args: string[]): string {
  const r = spawnSync(tool('promtool'), args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  return out;
}

test('promtool check rules: the SLO rule file is clean', () => {
  const out = promtool('check', 'rules', 'rules/slo.yml');
  assert.match(out, /SUCCESS: 31 rules found/);
  assert.doesNotMatch(out, /WARNING/);
});

test('promtool check config: prometheus.yml is valid and finds its rule files', () => {
  assert.match(promtool('check', 'config', '--syntax-only', 'prometheus.yml'), /is valid prometheus config file syntax/);
});

test("nines start's slower scrape (--scrape-interval 15) is the same file with its three global intervals changed", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nines-prom-'));
  try {
    const text = prometheusConfig(15);
    assert.match(text, /^ {2}scrape_interval: 15s$/m);
    assert.match(text, /^ {2}scrape_timeout: 10s$/m);
    assert.match(text, /^ {2}evaluation_interval: 15s$/m);
    const strip = (t: string) => t.replace(/^ {2}(scrape_interval|scrape_timeout|evaluation_interval): \S+$/gm, '');
    assert.equal(strip(text), strip(prometheusConfig()), 'nothing else changed');
    writeFileSync(join(tmp, 'prometheus.yml'), text);
    assert.match(promtool('check', 'config', '--syntax-only', join(tmp, 'prometheus.yml')), /is valid prometheus config file syntax/);
    assert.throws(() => prometheusConfig(0), /whole number of seconds/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('promtool test rules: healthy fires nothing, a fast burn pages, a slow burn tickets without paging', () => {
  assert.match(promtool('test', 'rules', 'tests/slo-alerts.test.yml'), /SUCCESS/);
});

test('promtool test rules: the error budget left after 30 days of known series', () => {
  assert.match(promtool('test', 'rules', 'tests/slo-budget.test.yml'), /SUCCESS/);
});
