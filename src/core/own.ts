// Lookup tables are plain objects, and the keys we look up come from the files we read: a word like
// `constructor` or `__proto__` must find nothing, not Object.prototype's member, and must be stored
// as a key like any other.

/** The table's own entry for `key`, or undefined. */
export function own<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Sets `key` as an own enumerable property, even `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Only `__proto__` is an accessor on Object.prototype; any other key assigned is an own data property
  // (defineProperty for every key was a tenth of reading a large compose file).
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
