import type { Stack } from '../stack/stack.js';

// Joins the security rules derive from a frozen stack, computed once per stack.
const caches = new WeakMap<object, Map<string, unknown>>();

/** Computes a derived index once per stack (the stack is immutable once built). */
export function once<T>(stack: Stack, key: string, build: () => T): T {
  let m = caches.get(stack);
  if (!m) {
    m = new Map();
    caches.set(stack, m);
  }
  if (!m.has(key)) m.set(key, build());
  return m.get(key) as T;
}

