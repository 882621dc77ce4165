/**
 * `nines load` through its Command object (cli.ts registers it separately): exit codes and
 * the last stdout line, parsed as JSON, against a real target in a child process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command } from '../../../harness/commands/load.ts';
import { startTarget, type Target } from '../../../harness/load/target-process.ts';
import type { History } from '../../../harness/load/history.ts';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command with string writes to stdout/stderr captured. Buffer writes pass
 * through: under `node --test` the runner reports through process.stdout in Buffers.
 */
async function cli(argv: string[]): Promise<Ran> {
  await new Promise((r) => setImmediate(r));
  const captured = { stdout: [] as string[], stderr: [] as string[] };
  const restore: Array<() => void> = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write;
    stream.write = function (this: typeof stream, chunk: unknown, ...rest: unknown[]) {
      if (typeof chunk === 'string') return captured[name].push(chunk) > 0;
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  try {
    const code = await command.run(argv);
    return { code, stdout: captured.stdout.join(''), stderr: captured.stderr.join('') };
  } finally {
    restore.forEach((r) => r());
  }
}

const lines = (s: string): string[] => s.split('\n').filter(Boolean);

let target: Target;
let dir: string;
before(async () => {
  target = await startTarget({ failEvery: 5 });
  dir = mkdtempSync(join(tmpdir(), 'nines-load-cli-'));
});
after(async () => {
  await target?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the last stdout line is the summary JSON with the required fields', async () => {
  const r = await cli(['--url', target.url, '--rate', '200', '--duration', '1500ms', '--slack', '1s']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.ok(out.length > 1, 'human-readable lines come first');
  const s = JSON.parse(out.at(-1)!) as Record<string, unknown> & { latencyMs: Record<string, number>; statusCounts: Record<string, number> };
  for (const k of ['achievedRate', 'dropped', 'requests', 'statusCounts', 'latencyMs']) assert.ok(k in s, `missing ${k}`);
  for (const k of ['p50', 'p90', 'p99', 'p999', 'max']) assert.equal(typeof s.latencyMs[k], 'number', `latencyMs.${k}`);
  assert.equal(s.requests, 300);
  assert.equal(s.dropped, 0);
  assert.equal(s.achievedRate, 200);
  assert.deepEqual(s.statusCounts, { ok: 240, http_503: 60 });
  assert.match(r.stderr, /nines load: 1s sent \d+ \(\d+\/s\).* dropped \d+.* p99 /);
});

test('--json prints only the JSON line; POST bodies, headers, --out and ramping stages', async () => {
  const body = join(dir, 'body.bin');
  writeFileSync(body, Buffer.alloc(64 * 1024, 7));
  const out = join(dir, 'history.json');
  const r = await cli(['--url', `${target.url}upload?x=1`, '--stage', '200:500ms', '--stage', '200:500ms', '--body-file', body, '--header', 'content-type: application/octet-stream', '--threads', '1', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out1 = lines(r.stdout);
  assert.equal(out1.length, 1);
  const s = JSON.parse(out1[0]!) as { requests: number; dropped: number };
  assert.equal(s.requests + s.dropped, 50 + 100);
  const h = JSON.parse(readFileSync(out, 'utf8')) as History;
  assert.equal(h.settings.method, 'POST');
  assert.equal(h.settings.path, '/upload?x=1');
  assert.equal(h.settings.bodyBytes, 64 * 1024);
  assert.equal(h.seconds.length, 1);
});

test('usage errors exit 2 and say what is wrong; non-loopback targets are refused', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--url', 'http://203.0.113.9/', '--rate', '1', '--duration', '1s'], /only loopback targets.*--allow-remote/],
    [['--url', target.url, '--rate', '10'], /--rate and --duration are required/],
    [['--url', target.url, '--rate', '10', '--duration', '10'], /invalid duration '10'/],
    [['--url', target.url, '--rate=-5', '--duration', '1s'], /--rate must be a positive number/],
    [['--url', target.url, '--rate', '10', '--duration', '1s', '--header', 'nocolon'], /NAME:VALUE/],
    [['--rate', '10', '--duration', '1s'], /--url is required/],
    [['--bogus'], /Unknown option/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  const h = await cli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Examples:/);
});
