import type { Stack } from './stack.js';

/**
 * The database and cache tier of a stack: pgbouncer, Postgres, Redis and the Django settings the web
 * tier runs with, joined once per stack (issue: the data tier).
 */
export interface DataTier {
  readonly stack: string;
}

/** Builds (once) and returns the stack's data tier; called eagerly so parse errors are reported. */
export function dataTier(stack: Stack): DataTier {
  return stack.memo('data-tier', () => ({ stack: stack.name }));
}
