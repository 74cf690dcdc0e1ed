import { known, unknown, type Known, type Span, type Unknown } from '../core/value.js';
import type { PyData, PyValue } from './value.js';

/**
 * The evaluator's own values. Python containers are mutable and shared by reference
 * (`CACHES[...]["CONNECTION_POOL_KWARGS"] = POOL` then `POOL["max_connections"] = 5` changes both),
 * so containers live in boxes with identity; they become immutable PyValues only when exported.
 */
export type Atom = string | number | boolean | null;

/** A known str/int/float/bool/None. `float` keeps Python's int/float apart (str(5.0) is "5.0"). */
export interface Scalar extends Known<Atom> {
  readonly float?: boolean;
}

export interface Box {
  readonly kind: 'box';
  readonly obj: PyObject;
  readonly span: Span;
  readonly via?: readonly Span[];
}

export type Ev = Scalar | Unknown | Box;

export interface DictEntry {
  key: Ev;
  value: Ev;
}

/** `unknownContent` is set once the container may have been changed in ways that cannot be followed. */
export interface DictObject {
  readonly type: 'dict';
  entries: DictEntry[];
  unknownContent?: string;
}

export interface SequenceObject {
  readonly type: 'list' | 'tuple' | 'set';
  items: Ev[];
  unknownContent?: string;
}

/**
 * Modules, functions and objects that the evaluator models. `builtin` names a Python builtin (`int`)
 * or a library function (`os.getenv`, `decouple.config`); `lib-object` is an object a library in
 * src/python/libs/ created (a django-environ reader, a decouple Csv cast), with data only it reads.
 */
export type ModelledObject =
  | { readonly type: 'module'; readonly name: string; readonly bindings?: ReadonlyMap<string, Ev> }
  | { readonly type: 'builtin'; readonly name: string }
  | { readonly type: 'environ' }
  | { readonly type: 'method'; readonly self: Ev; readonly name: string }
  | LibObject;

/** An object of a modelled library; `kind` and `data` belong to the library named by `lib`. */
export interface LibObject {
  readonly type: 'lib-object';
  readonly lib: string;
  readonly kind: string;
  /** How messages name it: "a django-environ Env reader". */
  readonly description: string;
  readonly data?: unknown;
}

export type PyObject = DictObject | SequenceObject | ModelledObject;

/** Python raising at import time; caught by `try` or, at module level, turned into unknowns. */
export class PyRaise {
  constructor(
    readonly exception: string,
    readonly message: string,
    readonly span: Span,
  ) {}
}

export function scalar(value: Atom, span: Span, extra: { via?: readonly Span[]; float?: boolean } = {}): Scalar {
  const base = known(value, span, extra.via ? { via: extra.via } : {});
  return extra.float && typeof value === 'number' ? { ...base, float: true } : base;
}

export function box(obj: PyObject, span: Span): Box {
  return { kind: 'box', obj, span };
}

export function isContainer(obj: PyObject): obj is DictObject | SequenceObject {
  return obj.type === 'dict' || obj.type === 'list' || obj.type === 'tuple' || obj.type === 'set';
}

export function describeObject(obj: PyObject): string {
  switch (obj.type) {
    case 'module':
      return `the module ${obj.name}`;
    case 'builtin':
      return `the function ${obj.name}`;
    case 'environ':
      return 'os.environ';
    case 'lib-object':
      return obj.description;
    case 'method':
      return `the method .${obj.name}()`;
    default:
      return `a ${obj.type}`;
  }
}

/** Deeper than this, exported data is cut off as Unknown (a self-containing list, or pathological nesting). */
const MAX_EXPORT_DEPTH = 64;

/** Turns an evaluator value into the immutable PyValue that rules read. */
export function exportValue(ev: Ev, depth = 0): PyValue {
  if (ev.kind === 'unknown') return ev;
  if (ev.kind === 'known') {
    // isDefault: a library's documented default written nowhere (dj_database_url's CONN_MAX_AGE=0).
    return known<PyData>(ev.value, ev.span, { ...(ev.via ? { via: ev.via } : {}), ...(ev.isDefault ? { isDefault: true } : {}) });
  }
  const obj = ev.obj;
  if (!isContainer(obj)) return unknown(`${describeObject(obj)} is not a setting value`, ev.span);
  if (obj.unknownContent) return unknown(obj.unknownContent, ev.span);
  if (depth > MAX_EXPORT_DEPTH) return unknown('nested too deeply (or contains itself)', ev.span);
  const data: PyData =
    obj.type === 'dict'
      ? { type: 'dict', entries: obj.entries.map((e) => ({ key: exportValue(e.key, depth + 1), value: exportValue(e.value, depth + 1) })) }
      : { type: obj.type, items: obj.items.map((item) => exportValue(item, depth + 1)) };
  return ev.via ? known(data, ev.span, { via: ev.via }) : known(data, ev.span);
}

/** Python truthiness; undefined when it depends on something unknown. */
export function truthy(ev: Ev): boolean | undefined {
  if (ev.kind === 'unknown') return undefined;
  if (ev.kind === 'known') {
    const v = ev.value;
    if (v === null) return false;
    if (typeof v === 'string') return v.length > 0;
    if (typeof v === 'number') return v !== 0;
    return v;
  }
  const obj = ev.obj;
  if (!isContainer(obj)) return true;
  if (obj.unknownContent) return undefined;
  if (obj.type === 'dict') {
    if (obj.entries.length === 0) return false;
    return obj.entries.some((e) => e.key.kind !== 'unknown') ? true : undefined;
  }
  return obj.items.length > 0;
}

/** Python `==`; undefined when it cannot be decided. */
export function pyEquals(a: Ev, b: Ev, depth = 0): boolean | undefined {
  if (a.kind === 'unknown' || b.kind === 'unknown' || depth > MAX_EXPORT_DEPTH) return undefined;
  if (a.kind === 'known' && b.kind === 'known') return atomEquals(a.value, b.value);
  if (a.kind === 'box' && b.kind === 'box') {
    if (a.obj === b.obj) return true;
    const x = a.obj;
    const y = b.obj;
    if (!isContainer(x) || !isContainer(y)) return undefined;
    if (x.unknownContent || y.unknownContent) return undefined;
    if (x.type !== y.type) return false;
    if (x.type === 'dict' && y.type === 'dict') return dictEquals(x, y, depth);
    if (x.type === 'dict' || y.type === 'dict') return false;
    if (x.type === 'set') return setEquals(x.items, (y as SequenceObject).items, depth);
    const ys = (y as SequenceObject).items;
    if (x.items.length !== ys.length) return false;
    return allDecided(x.items.map((item, i) => pyEquals(item, ys[i]!, depth + 1)));
  }
  // A scalar never equals a container; modelled objects only equal themselves.
  if (a.kind === 'box' && !isContainer(a.obj)) return undefined;
  if (b.kind === 'box' && !isContainer(b.obj)) return undefined;
  return false;
}

function allDecided(results: Array<boolean | undefined>): boolean | undefined {
  if (results.includes(false)) return false;
  return results.includes(undefined) ? undefined : true;
}

export function atomEquals(a: Atom, b: Atom): boolean {
  // Python's bool is an int: True == 1, False == 0.0.
  const na = typeof a === 'boolean' ? Number(a) : a;
  const nb = typeof b === 'boolean' ? Number(b) : b;
  return na === nb;
}

function dictEquals(x: DictObject, y: DictObject, depth: number): boolean | undefined {
  if (x.entries.some((e) => e.key.kind === 'unknown') || y.entries.some((e) => e.key.kind === 'unknown')) return undefined;
  if (x.entries.length !== y.entries.length) return false;
  const results: Array<boolean | undefined> = [];
  for (const e of x.entries) {
    const match = y.entries.find((f) => pyEquals(e.key, f.key, depth + 1) === true);
    if (!match) return false;
    results.push(pyEquals(e.value, match.value, depth + 1));
  }
  return allDecided(results);
}

function setEquals(xs: readonly Ev[], ys: readonly Ev[], depth: number): boolean | undefined {
  if (xs.length !== ys.length) return undefined;
  const results = xs.map((x) => (ys.some((y) => pyEquals(x, y, depth + 1) === true) ? true : undefined));
  return allDecided(results);
}

/** Python's repr() of a float: shortest round-trip digits, scientific outside 1e-4 <= |x| < 1e16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
  }
  const frac = digits.slice(1);
  const expOut = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${expOut}`;
}

/** Python's repr() of a str; undefined for characters whose printability Python and we might judge differently. */
export function stringRepr(s: string): string | undefined {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x7f) out += ch;
    else if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch)) out += ch;
    else return undefined;
  }
  return out + quote;
}

export type TextResult = { ok: true; value: string } | { ok: false; reason: string };

/** Python's str() (`repr: false`) or repr() of a value. */
export function pyText(ev: Ev, repr: boolean, depth = 0): TextResult {
  if (ev.kind === 'unknown') return { ok: false, reason: ev.reason };
  if (depth > MAX_EXPORT_DEPTH) return { ok: false, reason: 'nested too deeply' };
  if (ev.kind === 'known') {
    const v = ev.value;
    if (v === null) return { ok: true, value: 'None' };
    if (typeof v === 'boolean') return { ok: true, value: v ? 'True' : 'False' };
    if (typeof v === 'number') return { ok: true, value: ev.float ? floatRepr(v) : String(v) };
    if (!repr) return { ok: true, value: v };
    const r = stringRepr(v);
    return r === undefined ? { ok: false, reason: 'repr() of this string is not modelled' } : { ok: true, value: r };
  }
  const obj = ev.obj;
  if (!isContainer(obj)) return { ok: false, reason: `str() of ${describeObject(obj)} is not modelled` };
  if (obj.unknownContent) return { ok: false, reason: obj.unknownContent };
  const parts: string[] = [];
  if (obj.type === 'dict') {
    for (const e of obj.entries) {
      const k = pyText(e.key, true, depth + 1);
      const v = pyText(e.value, true, depth + 1);
      if (!k.ok) return k;
      if (!v.ok) return v;
      parts.push(`${k.value}: ${v.value}`);
    }
    return { ok: true, value: `{${parts.join(', ')}}` };
  }
  for (const item of obj.items) {
    const t = pyText(item, true, depth + 1);
    if (!t.ok) return t;
    parts.push(t.value);
  }
  if (obj.type === 'set') {
    // Set iteration order follows hashes, which only Python knows.
    return parts.length === 0 ? { ok: true, value: 'set()' } : parts.length === 1 ? { ok: true, value: `{${parts[0]}}` } : { ok: false, reason: 'the order of a set is not known statically' };
  }
  if (obj.type === 'tuple') return { ok: true, value: parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})` };
  return { ok: true, value: `[${parts.join(', ')}]` };
}
