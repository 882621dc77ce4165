/**
 * The agreement between Prometheus's SLIs and the harness's for one run (report.json
 * `slis`, harness/observe/slis.ts), with the tolerances the README states: availability
 * within 0.5 percentage points; latency within the api histogram's bucket resolution (the
 * server's share within 500 ms between the client's shares within 400 and 750 ms, the
 * bucket bounds either side) or within 0.5 points.
 */
import assert from 'node:assert/strict';
import type { SliComparison } from '../../harness/observe/slis.ts';

export const AGREEMENT_PP = 0.5;

/** The `ha` topology adds HAProxy's exporter, the Consul servers and Toxiproxy. */
export const HA_JOBS = ['nines-api', 'nines-broker', 'nines-worker', 'nines-usage', 'nines-identity', 'haproxy', 'consul', 'toxiproxy', 'prometheus'];

/**
 * Asserts the agreement; `jobs` are scrape jobs that must have a target, and every target
 * must be up but for the `killed` ones a fault left dead (e.g. 'nines-broker/broker-b1').
 */
export function assertSlisAgree(slis: unknown, what: string, jobs: string[] = ['nines-api', 'nines-broker', 'nines-worker', 'nines-usage', 'nines-identity', 'prometheus'], killed = 0): SliComparison {
  assert.ok(slis && typeof slis === 'object' && !('error' in slis), `${what}: Prometheus's SLIs are in the report: ${JSON.stringify(slis)}`);
  const c = slis as SliComparison;
  const show = JSON.stringify(c);
  const down = Object.entries(c.targets).filter(([, h]) => h !== 'up');
  assert.ok(down.length <= killed, `${what}: every Prometheus target up but the ${killed} a fault killed: ${JSON.stringify(down)}`);
  for (const job of jobs) assert.ok(Object.keys(c.targets).some((k) => k.startsWith(`${job}/`)), `${what}: Prometheus scraped ${job}: ${show}`);
  assert.ok(c.server.availability?.ratio != null && c.client.availability.ratio !== null, `${what}: both availabilities measured: ${show}`);
  assert.ok(Math.abs(c.differencePp.availability!) <= AGREEMENT_PP, `${what}: availability differs by ${c.differencePp.availability} pp: ${show}`);
  const server = c.server.latency?.ratio;
  assert.ok(server != null && c.client.latency.ratio !== null, `${what}: both latency SLIs measured: ${show}`);
  const tol = AGREEMENT_PP / 100;
  const { atOrBelow400ms: lo, atOrBelow750ms: hi } = c.client.latencyBracket;
  const inBracket = lo !== null && hi !== null && server >= lo - tol && server <= hi + tol;
  assert.ok(inBracket || Math.abs(c.differencePp.latency!) <= AGREEMENT_PP, `${what}: latency SLI disagrees beyond the bucket resolution: ${show}`);
  return c;
}
