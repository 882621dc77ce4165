/**
 * Reading a service's Prometheus text in tests: the sum of every series of `name` whose label
 * set contains each of `labels` (fragments such as `outcome="acked"`). Every series also carries
 * its registry's default labels (`service`, a broker's `shard`), so exact label sets are not
 * matched; a metric with no such series counts 0.
 */
export async function metricSum(baseUrl: string, name: string, ...labels: string[]): Promise<number> {
  return seriesSum(await (await fetch(`${baseUrl}/metrics`)).text(), name, ...labels);
}

/** The same sum over exposition text already in hand (a registry's own `metrics()`). */
export function seriesSum(text: string, name: string, ...labels: string[]): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}
