import { unknown, type Span } from '../../core/value.js';
import { box, type Atom, type DictObject, type Ev } from '../objects.js';
import type { PyUrl } from './url.js';

/** A dict a library returns: every key written at the call, every value traced to where its text came from. */
export function dictOf(entries: ReadonlyArray<readonly [string, Ev]>, span: Span): Ev {
  const dict: DictObject = { type: 'dict', entries: entries.map(([k, v]) => ({ key: { kind: 'known', value: k, span }, value: v })) };
  return box(dict, span);
}

export function atom(value: Atom, span: Span, via: readonly Span[] | undefined, extra: { isDefault?: boolean } = {}): Ev {
  const out: { kind: 'known'; value: Atom; span: Span; via?: readonly Span[]; isDefault?: boolean } = { kind: 'known', value, span };
  if (via && via.length > 0) out.via = via;
  if (extra.isDefault) out.isDefault = true;
  return out;
}

/** The text of a URL argument, or why it cannot be known. */
export function urlText(v: Ev, span: Span, what: string): { text: string; via: readonly Span[] | undefined } | Ev {
  if (v.kind === 'unknown') return unknown(`${what} comes from a value that cannot be known: ${v.reason}`, span);
  if (v.kind !== 'known' || typeof v.value !== 'string') return unknown(`${what} is not a string`, span);
  // A literal URL (a default) is its own origin; a value read from the environment already names the call.
  const own = v.span.file === span.file && v.span.start === span.start && v.span.end === span.end ? [] : [v.span];
  return { text: v.value, via: [...own, ...(v.via ?? [])] };
}

export function isEv(x: unknown): x is Ev {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

/** Python's str.isdigit() for ASCII text (query values are ASCII after our URL checks). */
export function isDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

export type { PyUrl };
