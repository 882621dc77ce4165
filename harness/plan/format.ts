/** The plan for people: one block per tier with its figure, how it follows, its sources and the article's estimate. */
import { relative } from 'node:path';
import type { Plan } from './fleet.ts';

/** The plan as text, its source files as they are in `plan` (withRelativeSources makes them relative). */
export function formatPlan(plan: Plan): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [`nines plan: ${n(plan.rate)} resizes/s + ${Math.round(plan.headroom * 100)} % headroom = ${n(Math.round(plan.sized))}/s to carry`, ''];
  for (const t of plan.tiers) {
    lines.push(`${t.tier.padEnd(9)} ${String(t.instances).padStart(4)} × ${t.coresPerInstance}-core = ${n(t.instances * t.coresPerInstance).padStart(6)} cores    article: ${t.article}`);
    lines.push(`          how:  ${t.reasoning}`);
    for (const s of t.sources) {
      const where = s.measuredAt === 'design' || s.measuredAt === 'given' ? `${s.measuredAt} (${s.file})` : `${s.file}, ${s.measuredAt.slice(0, 16).replace('T', ' ')} UTC${s.machine ? `, ${s.machine}` : ''}`;
      lines.push(`          from: ${s.figure} — ${where}`);
    }
    if (t.warning) lines.push(`          WARNING: ${t.warning}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The plan with every source file named relative to `cwd` (plan.json is read beside a checkout, not on this machine). */
export function withRelativeSources(plan: Plan, cwd: string): Plan {
  return { ...plan, tiers: plan.tiers.map((t) => ({ ...t, sources: t.sources.map((s) => ({ ...s, file: relative(cwd, s.file) || s.file })) })) };
}
