/**
 * Plain data as a JavaScript literal, for generated scripts: identifier keys unquoted,
 * every other key and every string JSON-quoted (always a valid JS string literal), so
 * the output reads like hand-written k6 options and never needs escaping by hand.
 */
type Literal = string | number | boolean | null | Literal[] | { [k: string]: Literal };

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `value` as JS source, two-space indented from `indent`. */
export function jsLiteral(value: unknown, indent = ''): string {
  const v = value as Literal;
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} into a script`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    // Short arrays of scalars stay on one line: thresholds read as `['p(99)<500']`.
    if (v.every((x) => x === null || typeof x !== 'object')) {
      const line = `[${v.map((x) => jsLiteral(x)).join(', ')}]`;
      if (line.length <= 80) return line;
    }
    return `[\n${v.map((x) => `${inner}${jsLiteral(x, inner)},`).join('\n')}\n${indent}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    const key = (k: string): string => (IDENT.test(k) ? k : JSON.stringify(k));
    // A small record of scalars reads best on one line: one image per line in a table.
    if (entries.every(([, x]) => x === null || typeof x !== 'object')) {
      const line = `{ ${entries.map(([k, x]) => `${key(k)}: ${jsLiteral(x)}`).join(', ')} }`;
      if (line.length <= 100) return line;
    }
    return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${jsLiteral(x, inner)},`).join('\n')}\n${indent}}`;
  }
  throw new TypeError(`cannot write a ${typeof value} into a script`);
}
