import type { SourceFile, SourceSet } from '../core/source.js';
import type { Stack } from '../stack/stack.js';
import type { Workspace } from '../workspace/workspace.js';

/**
 * The two things the security rules need from a stack beyond its model: a file the stack read, and
 * a per-stack cache for derived joins. Written against the stack's shape rather than its helpers, so
 * they keep working while the stack is restructured (a staged stack keeps `sources` and no workspace).
 */
export function sourceOf(stack: Stack, path: string): SourceFile | undefined {
  const s = stack as unknown as { sources?: SourceSet; workspace?: Workspace };
  return s.sources?.get(path) ?? s.workspace?.sources.get(path) ?? s.workspace?.read(path);
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
export function filesBeside(stack: Stack): string[] {
  const s = stack as unknown as { workspace?: Workspace; compose: { dir: string } };
  const dir = s.compose.dir;
  const all = s.workspace?.files() ?? [];
  return all.filter((f) => (dir === '' ? !f.includes('/') : f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/')));
}
