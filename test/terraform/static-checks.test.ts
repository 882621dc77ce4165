/**
 * terraform/ as the offline tools see it: formatting (`tofu fmt`), the provider-free modules'
 * own tests (`tofu test`), tflint with every rule of its bundled terraform ruleset, and
 * checkov with no failed check; a security group deliberately opened to the internet makes
 * checkov fail, and the example environment's fleet.auto.tfvars.json (`nines plan --out`)
 * is accepted by the layout module. The AWS provider cannot be installed here, so nothing
 * is planned against AWS (README, Deployment).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, terraformDir, tofu, tofuEnv, tool } from './tools.ts';

interface CheckovCheck {
  check_id: string;
  resource: string;
  check_result: { result: string; suppress_comment?: string };
}
interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { failed_checks: CheckovCheck[]; skipped_checks: CheckovCheck[] };
}

/** checkov over `dir`, its JSON report decoded (one framework: terraform). */
async function checkov(dir: string): Promise<CheckovReport> {
  const r = await run(tool('checkov'), ['-d', dir, '--framework', 'terraform', '-o', 'json'], { cwd: dir, env: { BC_SKIP_MAPPING: 'TRUE' }, timeoutMs: 180_000 });
  assert.ok(r.code === 0 || r.code === 1, `checkov exited ${r.code}: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as CheckovReport | CheckovReport[];
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  assert.equal(reports.length, 1, 'one terraform report');
  return reports[0]!;
}

test('tofu fmt: every file under terraform/ is formatted', async (t) => {
  await tofu(t, terraformDir, ['fmt', '-check', '-recursive']);
});

for (const mod of ['layout', 'role']) {
  test(`tofu test: modules/${mod} (provider-free, offline)`, async (t) => {
    const dir = join(terraformDir, 'modules', mod);
    const env = tofuEnv(t);
    await tofu(t, dir, ['init', '-backend=false', '-input=false'], env);
    const outText = await tofu(t, dir, ['test'], env);
    assert.match(outText, /Success! \d+ passed, 0 failed/);
  });
}

test("the example environment's fleet.auto.tfvars.json passes the layout module's validation", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-tfvars-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(terraformDir, 'environments', 'example', 'fleet.auto.tfvars.json'), join(dir, 'fleet.auto.tfvars.json'));
  writeFileSync(
    join(dir, 'main.tf'),
    `variable "fleet" {\n  type = any\n}\nvariable "plan" {\n  type = any\n}\nmodule "layout" {\n  source = "${join(terraformDir, 'modules', 'layout')}"\n  fleet  = var.fleet\n  azs    = ["a", "b", "c"]\n}\noutput "workers" {\n  value = module.layout.autoscaling.worker.desired\n}\n`,
  );
  const env = tofuEnv(t);
  await tofu(t, dir, ['init', '-input=false'], env);
  await tofu(t, dir, ['apply', '-auto-approve', '-input=false'], env);
  const tfvars = JSON.parse(readFileSync(join(dir, 'fleet.auto.tfvars.json'), 'utf8')) as { fleet: { worker: { instances: number } } };
  assert.equal(JSON.parse(await tofu(t, dir, ['output', '-json', 'workers'], env)), tfvars.fleet.worker.instances);
});

test('tflint: no issue with every rule of the terraform ruleset', async () => {
  const r = await run(tool('tflint'), ['--recursive', '--no-color', `--config=${join(terraformDir, '.tflint.hcl')}`], { cwd: terraformDir });
  assert.equal(r.code, 0, `tflint found issues:\n${r.stdout}${r.stderr}`);
});

test('checkov: 0 failed checks, and every skip gives its reason inline', async () => {
  const report = await checkov(terraformDir);
  assert.equal(report.summary.parsing_errors, 0);
  assert.deepEqual(
    report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`),
    [],
  );
  assert.ok(report.summary.passed > 100, `only ${report.summary.passed} checks passed: did checkov read the modules?`);
  for (const s of report.results.skipped_checks) assert.ok((s.check_result.suppress_comment ?? '').length > 20, `${s.check_id} on ${s.resource} is skipped without a reason`);
});

test('checkov fails a security group opened to the internet', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-opened-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(terraformDir, dir, { recursive: true });
  writeFileSync(
    join(dir, 'modules', 'nines', 'opened.tf'),
    'resource "aws_vpc_security_group_ingress_rule" "opened" {\n  security_group_id = aws_security_group.tier["worker"].id\n  cidr_ipv4         = "0.0.0.0/0"\n  ip_protocol       = "tcp"\n  from_port         = 22\n  to_port           = 22\n  description       = "deliberately opened"\n}\n',
  );
  const report = await checkov(dir);
  const failed = report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`);
  assert.ok(failed.includes('CKV_AWS_24 module.nines.aws_vpc_security_group_ingress_rule.opened'), `expected CKV_AWS_24 on the opened rule, got: ${failed.join(', ')}`);
});
