import type { Span } from '../core/value.js';
import { MappedTextBuilder, type MappedText } from './mapped-text.js';

/** Where `${NAME}` gets its value: the `.env` beside the compose file. */
export interface VariableSource {
  /** undefined: the variable is not set anywhere arena-lint can see. */
  lookup(name: string): { value: string; span: Span } | undefined;
}

export const NO_VARIABLES: VariableSource = { lookup: () => undefined };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Compose's interpolation (compose-spec "Interpolation"): `$$`, `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`,
 * `${VAR:?e}`, `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`, defaults nested. An unset variable without a default
 * is unknown rather than empty: compose would read it from the deploying shell, which we cannot see.
 */
export function interpolate(input: MappedText, vars: VariableSource): MappedText {
  if (!input.text.includes('$')) return input;
  const out = new MappedTextBuilder(input.file, input.whole);
  expandInto(out, input, 0, input.text.length, vars, 0);
  return out.build();
}

function expandInto(out: MappedTextBuilder, m: MappedText, from: number, to: number, vars: VariableSource, depth: number): void {
  const t = m.text;
  // Text without substitutions of its own is copied up to the next `$` in one go (piece by piece,
  // a substitution would be recorded once per character).
  const runs = m.substitutions.length === 0;
  let i = from;
  while (i < to) {
    const ch = t[i]!;
    if (ch !== '$' && runs) {
      const dollar = t.indexOf('$', i + 1);
      const end = dollar < 0 || dollar > to ? to : dollar;
      out.pushMapped(m, i, end);
      i = end;
      continue;
    }
    if (ch !== '$' || i + 1 >= to) {
      out.pushMapped(m, i, i + 1);
      i++;
      continue;
    }
    const next = t[i + 1]!;
    if (next === '$') {
      // `$$` is a literal dollar; it maps to both source characters.
      out.pushChar('$', m.srcStart[i]!, m.srcEnd[i + 1]!);
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(t, i + 2, to);
      if (close < 0) {
        out.pushMapped(m, i, to);
        return;
      }
      expandBraced(out, m, i, close, vars, depth);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(t.slice(i + 1, to))?.[0];
    if (!name) {
      out.pushMapped(m, i, i + 1);
      i++;
      continue;
    }
    const end = i + 1 + name.length;
    substitute(out, m, i, end, name, vars.lookup(name));
    i = end;
  }
}

function matchingBrace(t: string, from: number, to: number): number {
  let depth = 1;
  for (let j = from; j < to; j++) {
    if (t[j] === '$' && t[j + 1] === '{') {
      depth++;
      j++;
    } else if (t[j] === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function expandBraced(out: MappedTextBuilder, m: MappedText, dollar: number, close: number, vars: VariableSource, depth: number): void {
  const body = m.text.slice(dollar + 2, close);
  const name = NAME.exec(body)?.[0];
  if (!name || depth > 10) {
    out.pushMapped(m, dollar, close + 1);
    return;
  }
  const rest = body.slice(name.length);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  const set = vars.lookup(name);
  if (!op) {
    if (rest.length > 0) {
      // Not an interpolation compose understands; keep the text as written.
      out.pushMapped(m, dollar, close + 1);
      return;
    }
    substitute(out, m, dollar, close + 1, name, set);
    return;
  }
  const argFrom = dollar + 2 + name.length + op.length;
  const colon = op.startsWith(':');
  const usable = set !== undefined && (!colon || set.value !== '');
  const src = { start: m.srcStart[dollar]!, end: m.srcEnd[close]! };
  switch (op) {
    case ':-':
    case '-':
      if (usable) substitute(out, m, dollar, close + 1, name, set);
      else expandDefault(out, m, argFrom, close, vars, depth, src);
      return;
    case ':?':
    case '?':
      if (usable) substitute(out, m, dollar, close + 1, name, set);
      else out.pushSubstitution('', src.start, src.end, [], `\${${name}} is required (${body.slice(name.length + op.length) || 'no message'}) and not set in .env`);
      return;
    default: {
      // `:+` / `+`: the alternative when set, else empty.
      const active = colon ? usable : set !== undefined;
      if (active) expandDefault(out, m, argFrom, close, vars, depth, src, set);
      else out.pushSubstitution('', src.start, src.end, set ? [set.span] : []);
    }
  }
}

function expandDefault(
  out: MappedTextBuilder, m: MappedText, from: number, to: number, vars: VariableSource, depth: number,
  src: { start: number; end: number }, cause?: { span: Span },
): void {
  const before = out.length;
  expandInto(out, m, from, to, vars, depth + 1);
  if (out.length === before) out.pushSubstitution('', src.start, src.end, cause ? [cause.span] : []);
}

function substitute(
  out: MappedTextBuilder, m: MappedText, from: number, to: number, name: string,
  set: { value: string; span: Span } | undefined,
): void {
  const start = m.srcStart[from]!;
  const end = m.srcEnd[to - 1]!;
  if (set === undefined) {
    out.pushSubstitution('', start, end, [], `\${${name}} is not set in .env (compose would take it from the deploying shell)`);
    return;
  }
  out.pushSubstitution(set.value, start, end, [set.span]);
}
