/** A range of one file, as byte offsets (end exclusive). */
export interface Span {
  /** Path relative to the checked root, `/` separated; the key of a SourceSet. */
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A value whose origin is known. `span` is where a user edits it; `via` lists the other places it
 * passed through (the env file line that fed `${VAR}`, the anchor a merge key copied, the include
 * that pulled a file in). `isDefault` marks a program's documented default for an absent setting:
 * then `span` points at the place where the setting would be written.
 */
export interface Known<T> {
  readonly kind: 'known';
  readonly value: T;
  readonly span: Span;
  readonly via?: readonly Span[];
  readonly isDefault?: boolean;
}

/** A value that cannot be known statically; rules that need it stay silent. */
export interface Unknown {
  readonly kind: 'unknown';
  readonly reason: string;
  readonly span: Span;
}

export type Value<T> = Known<T> | Unknown;

export function known<T>(value: T, span: Span, extra: { via?: readonly Span[]; isDefault?: boolean } = {}): Known<T> {
  const out: { kind: 'known'; value: T; span: Span; via?: readonly Span[]; isDefault?: boolean } = { kind: 'known', value, span };
  if (extra.via && extra.via.length > 0) out.via = extra.via;
  if (extra.isDefault) out.isDefault = true;
  return out;
}

export function unknown(reason: string, span: Span): Unknown {
  return { kind: 'unknown', reason, span };
}

export function isKnown<T>(v: Value<T> | undefined): v is Known<T> {
  return v !== undefined && v.kind === 'known';
}

/** Applies `fn` to a known value, keeping its origin; unknowns pass through. */
export function mapValue<T, U>(v: Value<T>, fn: (value: T) => U | undefined, reason = 'not a valid value'): Value<U> {
  if (v.kind === 'unknown') return v;
  const out = fn(v.value);
  if (out === undefined) return unknown(`${reason}: ${JSON.stringify(v.value)}`, v.span);
  return { ...v, value: out };
}

export function spanUnion(a: Span, b: Span): Span {
  if (a.file !== b.file) return a;
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
