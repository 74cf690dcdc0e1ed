import { isContainer, pyText, type Ev, type TextResult } from './objects.js';

/** A formatting result; `raises` names the exception Python raises for this input (the format is wrong, not unknown). */
export type FormatResult = TextResult | { ok: false; reason: string; raises: string };

/** Results longer than this are not built: pathological input must not stall the linter. */
export const MAX_STRING_LENGTH = 1_000_000;

/** Python's `%` operator on a str, for the conversions settings use: %s %r %d %i and %%, no width or flags. */
export function percentFormat(template: string, args: Ev): FormatResult {
  const positional: Ev[] | undefined =
    args.kind === 'box' && args.obj.type === 'tuple' && !args.obj.unknownContent ? args.obj.items : undefined;
  const mapping = args.kind === 'box' && args.obj.type === 'dict' ? args : undefined;
  if (args.kind === 'box' && isContainer(args.obj) && args.obj.unknownContent) return { ok: false, reason: args.obj.unknownContent };
  let next = 0;
  let out = '';
  const spec = /%(?:\(([^)]*)\))?([#0\- +]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])?/g;
  let last = 0;
  for (let m = spec.exec(template); m; m = spec.exec(template)) {
    out += template.slice(last, m.index);
    last = m.index + m[0].length;
    const [, key, flags, width, precision, conv] = m;
    if (conv === '%' && key === undefined && !flags && !width && !precision) {
      out += '%';
      continue;
    }
    if (conv === undefined) return { ok: false, reason: 'incomplete format', raises: 'ValueError' };
    if (flags || width || precision) return { ok: false, reason: `the format %${m[0].slice(1)} is not modelled` };
    let arg: Ev | undefined;
    if (key !== undefined) {
      if (!mapping || mapping.obj.type !== 'dict') return { ok: false, reason: 'format requires a mapping', raises: 'TypeError' };
      arg = lookupStringKey(mapping.obj.entries, key);
      if (arg === undefined) return { ok: false, reason: `%(${key}) cannot be found in the mapping` };
    } else if (positional) {
      arg = positional[next++];
      if (arg === undefined) return { ok: false, reason: 'not enough arguments for format string', raises: 'TypeError' };
    } else {
      if (next++ > 0) return { ok: false, reason: 'not enough arguments for format string', raises: 'TypeError' };
      arg = args;
    }
    const piece = convertPercent(conv, arg);
    if (!piece.ok) return piece;
    out += piece.value;
    if (out.length > MAX_STRING_LENGTH) return { ok: false, reason: 'the formatted string is too long to build' };
  }
  out += template.slice(last);
  if (positional && next < positional.length) return { ok: false, reason: 'not all arguments converted during string formatting', raises: 'TypeError' };
  if (!positional && !mapping && next === 0 && !(args.kind === 'box' && isContainer(args.obj))) {
    return { ok: false, reason: 'not all arguments converted during string formatting', raises: 'TypeError' };
  }
  return { ok: true, value: out };
}

function lookupStringKey(entries: ReadonlyArray<{ key: Ev; value: Ev }>, key: string): Ev | undefined {
  let found: Ev | undefined;
  for (const e of entries) {
    if (e.key.kind === 'unknown') found = undefined;
    else if (e.key.kind === 'known' && e.key.value === key) found = e.value;
  }
  return found;
}

function convertPercent(conv: string, arg: Ev): FormatResult {
  if (conv === 's') return pyText(arg, false);
  if (conv === 'r') return pyText(arg, true);
  if (conv === 'd' || conv === 'i') {
    if (arg.kind === 'unknown') return { ok: false, reason: arg.reason };
    if (arg.kind === 'known' && typeof arg.value === 'number') {
      if (!Number.isFinite(arg.value)) return { ok: false, reason: 'cannot convert a non-finite float to an integer', raises: 'OverflowError' };
      return { ok: true, value: String(Math.trunc(arg.value)) };
    }
    if (arg.kind === 'known' && typeof arg.value === 'boolean') return { ok: true, value: arg.value ? '1' : '0' };
    if (arg.kind === 'known') return { ok: false, reason: `%${conv} format: a real number is required`, raises: 'TypeError' };
    return { ok: false, reason: `%${conv} of a container is not modelled` };
  }
  return { ok: false, reason: `the conversion %${conv} is not modelled` };
}

/** `str.format` with `{}`, `{0}` and `{name}` fields and `!s`/`!r`; format specs and attribute lookups stay unknown. */
export function braceFormat(template: string, positional: readonly Ev[], keywords: ReadonlyMap<string, Ev>): FormatResult {
  let out = '';
  let auto = 0;
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    if (ch === '}' && template[i + 1] === '}') {
      out += '}';
      i += 2;
      continue;
    }
    if (ch === '}') return { ok: false, reason: "single '}' encountered in format string", raises: 'ValueError' };
    if (ch !== '{') {
      out += ch;
      i++;
      continue;
    }
    const close = template.indexOf('}', i);
    if (close < 0) return { ok: false, reason: "single '{' encountered in format string", raises: 'ValueError' };
    const field = template.slice(i + 1, close);
    i = close + 1;
    const m = /^([^!:.[]*)(?:!([rsa]))?(:.*)?$/.exec(field);
    if (!m || field.includes('{')) return { ok: false, reason: `the field {${field}} is not modelled` };
    const [, name = '', conversion, spec] = m;
    if (spec !== undefined && spec !== ':') return { ok: false, reason: `the format spec ${spec} is not modelled` };
    let arg: Ev | undefined;
    if (name === '') {
      arg = positional[auto++];
    } else if (/^\d+$/.test(name)) {
      arg = positional[Number(name)];
    } else {
      arg = keywords.get(name);
      if (arg === undefined) return { ok: false, reason: `no value for the field {${name}}`, raises: 'KeyError' };
    }
    if (arg === undefined) return { ok: false, reason: 'Replacement index out of range', raises: 'IndexError' };
    if (conversion === 'a') return { ok: false, reason: 'the !a conversion is not modelled' };
    const piece = pyText(arg, conversion === 'r');
    if (!piece.ok) return piece;
    out += piece.value;
    if (out.length > MAX_STRING_LENGTH) return { ok: false, reason: 'the formatted string is too long to build' };
  }
  return { ok: true, value: out };
}
