import type { Rule } from '../src/engine/rule.js';

/** The data-tier rules (pgbouncer, Postgres, Redis, Django settings, timeouts). */
export const DATA_RULES: readonly Rule[] = [];
