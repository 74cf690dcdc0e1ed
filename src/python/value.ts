import { unknown, type Value } from '../core/value.js';
import { setOwn } from '../core/own.js';

/**
 * A Python value as settings use it. Python's int and float both map to `number`; bytes, objects and
 * anything else that is not plain data is Unknown.
 */
export type PyData = string | number | boolean | null | PyDict | PyList;

/**
 * Entries keep Python's insertion order. An entry whose key is Unknown stands for keys that cannot be
 * known (`socket.TCP_KEEPIDLE`, `**other` of an unknown dict): it may hide or override a known key.
 */
export interface PyDict {
  readonly type: 'dict';
  readonly entries: ReadonlyArray<{ key: PyValue; value: PyValue }>;
}

export interface PyList {
  readonly type: 'list' | 'tuple' | 'set';
  readonly items: readonly PyValue[];
}

/** Known.span is where the expression is written; Known.via lists where an environment value came from. */
export type PyValue = Value<PyData>;

/** The environment the process sees. get() returns undefined when the variable is definitely unset,
 *  a Known when set (span/via = where it is set, e.g. compose `environment:` line or env file line),
 *  an Unknown when it may or may not be set. */
export interface EnvLookup {
  get(name: string): Value<string> | undefined;
}

export const EMPTY_ENV: EnvLookup = { get: () => undefined };

export function envFromRecord(vars: Readonly<Record<string, Value<string>>>): EnvLookup {
  return { get: (name) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined) };
}

export function isPyDict(v: PyData): v is PyDict {
  return typeof v === 'object' && v !== null && v.type === 'dict';
}

export function isPyList(v: PyData): v is PyList {
  return typeof v === 'object' && v !== null && v.type !== 'dict';
}

/**
 * Looks up dict keys and list/tuple indexes (negative indexes count from the end, like Python).
 * Undefined means definitely absent; an Unknown container, or an unknown key that may equal the one
 * asked for, gives Unknown.
 */
export function pyGet(v: PyValue | undefined, ...path: Array<string | number>): PyValue | undefined {
  let cur = v;
  for (const step of path) {
    if (cur === undefined) return undefined;
    if (cur.kind === 'unknown') return cur;
    const data = cur.value;
    if (isPyDict(data)) {
      cur = dictGet(data, step, cur.span);
    } else if (isPyList(data) && data.type !== 'set' && typeof step === 'number' && Number.isInteger(step)) {
      const index = step < 0 ? data.items.length + step : step;
      cur = data.items[index];
    } else {
      return undefined;
    }
  }
  return cur;
}

function dictGet(dict: PyDict, key: string | number, containerSpan: PyValue['span']): PyValue | undefined {
  let found: PyValue | undefined;
  let hiddenBy: PyValue | undefined;
  for (const entry of dict.entries) {
    if (entry.key.kind === 'unknown') {
      hiddenBy = entry.key;
    } else if (sameKey(entry.key.value, key)) {
      found = entry.value;
      hiddenBy = undefined;
    }
  }
  if (hiddenBy) {
    return unknown(`key ${JSON.stringify(key)} may be set by a key that cannot be known: ${hiddenBy.kind === 'unknown' ? hiddenBy.reason : ''}`, found?.span ?? containerSpan);
  }
  return found;
}

/** Dict key equality as Python hashes it: 1, 1.0 and True are the same key. */
function sameKey(a: PyData, b: string | number): boolean {
  if (typeof a === 'boolean') return typeof b === 'number' && Number(a) === b;
  return a === b;
}

/** Python truthiness; undefined when it depends on something unknown. */
export function pyTruthy(v: PyValue): boolean | undefined {
  if (v.kind === 'unknown') return undefined;
  const data = v.value;
  if (data === null) return false;
  if (typeof data === 'string') return data.length > 0;
  // NaN is truthy in Python, and NaN !== 0 in JavaScript too.
  if (typeof data === 'number') return data !== 0;
  if (typeof data === 'boolean') return data;
  if (isPyDict(data)) {
    if (data.entries.some((e) => e.key.kind === 'known')) return true;
    return data.entries.length === 0 ? false : undefined;
  }
  return data.items.length > 0;
}

/** Plain JSON-like data of a fully known value (tuples and sets become arrays), or undefined if any part is unknown. */
export function pyPlain(v: PyValue | undefined): unknown {
  if (v === undefined || v.kind === 'unknown') return undefined;
  const data = v.value;
  if (data === null || typeof data !== 'object') return data;
  if (isPyDict(data)) {
    const out: Record<string, unknown> = {};
    for (const e of data.entries) {
      if (e.key.kind === 'unknown') return undefined;
      const value = pyPlain(e.value);
      if (value === undefined) return undefined;
      setOwn(out, String(e.key.value), value);
    }
    return out;
  }
  const items: unknown[] = [];
  for (const item of data.items) {
    const value = pyPlain(item);
    if (value === undefined) return undefined;
    items.push(value);
  }
  return items;
}
