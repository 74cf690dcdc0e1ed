import type { SourceFile } from '../core/source.js';
import type { Stack } from '../stack/stack.js';

/**
 * What the security rules need from a stack beyond its model: a file the stack read, the files beside
 * its compose file, and a per-stack cache for derived joins (the stack is frozen, so a join computed
 * once stays right).
 */
export function sourceOf(stack: Stack, path: string): SourceFile | undefined {
  return stack.sources.get(path);
}

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

/** Root-relative paths of the files in the stack's own folder (for telling a dev compose file from its prod sibling). */
export function filesBeside(stack: Stack): readonly string[] {
  return stack.siblingFiles;
}
