// A realistic broker-crash run for report tests: 60 s at 200 req/s, the broker killed at
// 20 s and failed over by 23.4 s, with a slow tail until 26 s; two size classes.
import type { History } from '../../../harness/load/history.ts';
import type { SlaSpec } from '../../../harness/sla/spec.ts';
import { history, seconds, type SecondSpec } from '../sla/helpers.ts';

export const slas: SlaSpec[] = [
  { metric: 'latency', sizeClass: 'lt1mb', threshold: 'p(99)<500' },
  { metric: 'latency', threshold: 'p(50)<100' },
  { metric: 'errors', threshold: 'rate<0.001' },
  { metric: 'dropped', threshold: 'count<1' },
  { metric: 'availability', window: '10s', min: 0.999 },
  { metric: 'recovery', maxSeconds: 5 },
  { metric: 'errorBudget', slo: 0.999, maxShare: 0.1 },
  { metric: 'measurement', name: 'failoverSeconds', threshold: 'value<5' },
];

/** The broker-crash history; `scenario` overrides its name (e.g. to test escaping). */
export function brokerCrash(scenario = 'broker-crash'): History {
  const secs = seconds(0, 60, (t): SecondSpec => {
    const base = 40 + (t % 7);
    if (t >= 20 && t < 23) {
      return {
        ok: 20,
        failed: { http_503: 150, timeout: 25 },
        dropped: 5,
        latency: { all: [[base, 20], [2500, 150], [5000, 25]], lt1mb: [[base, 15], [2500, 120], [5000, 20]] },
      };
    }
    if (t >= 23 && t < 26) {
      return { ok: 199, failed: { econnreset: 1 }, latency: { all: [[base, 150], [700, 40], [1800, 10]], lt1mb: [[base, 130], [700, 30], [1800, 5]] } };
    }
    return { ok: 200, latency: { all: [[base, 150], [base * 2, 45], [base * 6, 5]], lt1mb: [[base, 130], [base * 2, 35], [base * 5, 2]] } };
  });
  const h = history(secs, [{ name: 'broker-crash', startMs: 20_000, endMs: 23_400 }, { name: 'latency 200ms api→broker', startMs: 40_000, endMs: 45_000 }], { failoverSeconds: 3.4 });
  h.scenario = scenario;
  h.settings = { url: 'http://127.0.0.1:8080/v1/resize', profile: { kind: 'constant', rate: 200, durationS: 60 }, durationS: 60, targetRate: 200, threads: 1 };
  h.failures = [
    { at: 20_010, outcome: 'fail', kind: 'http_503', status: 503, latencyMs: 2500 },
    { at: 20_020, outcome: 'info', kind: 'timeout', latencyMs: 5000 },
    { at: 20_030, outcome: 'dropped', kind: 'dropped' },
    { at: 23_100, outcome: 'info', kind: 'econnreset', latencyMs: 30 },
  ];
  return h;
}
