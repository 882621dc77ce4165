/**
 * k6 threshold expressions (`p(99)<500`, `rate<0.001`, `count>100`), parsed into data
 * rather than evaluated as code, so a typo fails loudly at spec time instead of silently
 * comparing the wrong thing. Grammar, as k6 documents it:
 *   <aggregation> <operator> <number>
 *   aggregation: avg | min | max | med | p(N) with 0 ≤ N ≤ 100 | rate | count | value
 *   operator:    < | <= | > | >= | == | === | !=
 */
import { ThresholdSyntaxError } from './errors.ts';

export type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'p' | 'rate' | 'count' | 'value';
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  /** The text as written, for the report. */
  source: string;
  aggregation: Aggregation;
  /** Only for `p(N)`. */
  percentile?: number;
  op: Operator;
  value: number;
}

const AGGREGATION = /^(avg|min|max|med|rate|count|value)\b|^p\(\s*([^)]*?)\s*\)/;
// Longest operators first so `<=` is not read as `<` followed by `=…`.
const OPERATOR = /^(===|==|!=|<=|>=|<|>)/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a k6 threshold; throws ThresholdSyntaxError saying what is wrong and what to write. */
export function parseThreshold(source: string): Threshold {
  if (typeof source !== 'string') throw new ThresholdSyntaxError(String(source), 'not a string');
  let rest = source.trim();
  const agg = AGGREGATION.exec(rest);
  if (!agg) {
    const word = /^[^<>=!\s]*/.exec(rest)?.[0] ?? '';
    throw new ThresholdSyntaxError(source, word ? `unknown aggregation "${word}"` : 'missing aggregation');
  }
  let aggregation: Aggregation;
  let percentile: number | undefined;
  if (agg[1] !== undefined) {
    aggregation = agg[1] as Aggregation;
  } else {
    aggregation = 'p';
    const n = agg[2] ?? '';
    if (!NUMBER.test(n)) throw new ThresholdSyntaxError(source, `percentile "${n}" is not a number`);
    percentile = Number(n);
    if (percentile < 0 || percentile > 100) {
      throw new ThresholdSyntaxError(source, `percentile ${percentile} is outside 0..100`);
    }
  }
  rest = rest.slice(agg[0].length).trimStart();
  const op = OPERATOR.exec(rest);
  if (!op) throw new ThresholdSyntaxError(source, rest ? `unknown operator at "${rest}"` : 'missing operator');
  rest = rest.slice(op[0].length).trim();
  if (!NUMBER.test(rest)) {
    throw new ThresholdSyntaxError(source, rest ? `"${rest}" is not a number` : 'missing number after operator');
  }
  const t: Threshold = {
    source: source.trim(),
    aggregation,
    // k6 treats === as ==; there is no type coercion to distinguish here.
    op: (op[1] === '===' ? '==' : op[1]) as Operator,
    value: Number(rest),
  };
  if (percentile !== undefined) t.percentile = percentile;
  return t;
}

/** True when `observed` satisfies the threshold's comparison. */
export function holds(t: Threshold, observed: number): boolean {
  switch (t.op) {
    case '<':
      return observed < t.value;
    case '<=':
      return observed <= t.value;
    case '>':
      return observed > t.value;
    case '>=':
      return observed >= t.value;
    case '==':
      return observed === t.value;
    case '!=':
      return observed !== t.value;
  }
}

/** The aggregation's name as written in k6, e.g. `p(99.9)` or `avg`. */
export function aggregationLabel(t: Threshold): string {
  return t.aggregation === 'p' ? `p(${t.percentile})` : t.aggregation;
}
