// Lookup tables are plain objects, and the keys we look up come from the files we read: a word like
// `constructor` or `__proto__` must find nothing, not Object.prototype's member, and must be stored
// as a key like any other.

/** The table's own entry for `key`, or undefined. */
export function own<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Sets `key` as an own enumerable property, even `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
