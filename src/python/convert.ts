/** Python's int(), float() and bool-ish parsing of strings, as settings helpers apply them to environment values. */

export type Converted<T> = { ok: true; value: T } | { ok: false; reason: string; raises?: string };

/** Whitespace as str.strip() and int() see it, for the ASCII range; other characters are judged by JavaScript's \s. */
const PY_WHITESPACE = /^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/g;

export function pyStrip(s: string): string {
  return s.replace(PY_WHITESPACE, '');
}

/** int(s): optional sign, digits with single underscores between them, surrounding whitespace allowed. */
export function intFromString(s: string, base = 10): Converted<number> {
  const text = pyStrip(s);
  const digits = base === 16 ? '[0-9a-fA-F]' : base === 8 ? '[0-7]' : base === 2 ? '[01]' : base === 10 ? '[0-9]' : undefined;
  if (!digits) return { ok: false, reason: `int() with base ${base} is not modelled` };
  const prefix = base === 16 ? '(?:0[xX]_?)?' : base === 8 ? '(?:0[oO]_?)?' : base === 2 ? '(?:0[bB]_?)?' : '';
  const m = new RegExp(`^([+-]?)${prefix}(${digits}+(?:_${digits}+)*)$`).exec(text);
  if (!m) return { ok: false, reason: `int(${JSON.stringify(s)}) raises ValueError`, raises: 'ValueError' };
  const magnitude = parseBigInt(m[2]!.replace(/_/g, ''), base);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, reason: `the integer ${s.trim()} is too large to represent exactly` };
  }
  return { ok: true, value: Number(value) };
}

function parseBigInt(digits: string, base: number): bigint {
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  return BigInt(prefix + digits);
}

/** float(s): Python's float literal syntax plus inf/nan words, surrounding whitespace allowed. */
export function floatFromString(s: string): Converted<number> {
  const text = pyStrip(s);
  const word = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (word) {
    if (word[2]!.toLowerCase() === 'nan') return { ok: true, value: NaN };
    return { ok: true, value: word[1] === '-' ? -Infinity : Infinity };
  }
  const d = '[0-9](?:_?[0-9])*';
  const re = new RegExp(`^[+-]?(?:${d}(?:\\.(?:${d})?)?|\\.${d})(?:[eE][+-]?${d})?$`);
  if (!re.test(text)) return { ok: false, reason: `float(${JSON.stringify(s)}) raises ValueError`, raises: 'ValueError' };
  return { ok: true, value: Number(text.replace(/_/g, '')) };
}

/** str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep: string | null, maxsplit: number): Converted<string[]> {
  if (sep === '') return { ok: false, reason: 'empty separator', raises: 'ValueError' };
  const limit = maxsplit < 0 ? Infinity : maxsplit;
  if (sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length > 0) {
      if (out.length >= limit) {
        out.push(rest.replace(/\s+$/, ''));
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return { ok: true, value: out };
  }
  const parts = s.split(sep);
  if (parts.length - 1 <= limit) return { ok: true, value: parts };
  const head = parts.slice(0, limit);
  return { ok: true, value: [...head, parts.slice(limit).join(sep)] };
}

/** str.strip/lstrip/rstrip with an optional set of characters. */
export function pyStripChars(s: string, chars: string | null, side: 'both' | 'left' | 'right'): string {
  if (chars === null) {
    if (side === 'both') return pyStrip(s);
    return side === 'left' ? s.replace(/^[\s\x1c-\x1f]+/, '') : s.replace(/[\s\x1c-\x1f]+$/, '');
  }
  const set = new Set([...chars]);
  const cps = [...s];
  let start = 0;
  let end = cps.length;
  if (side !== 'right') while (start < end && set.has(cps[start]!)) start++;
  if (side !== 'left') while (end > start && set.has(cps[end - 1]!)) end--;
  return cps.slice(start, end).join('');
}
