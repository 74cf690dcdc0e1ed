import type { Rule } from '../src/engine/rule.js';

/** The host-tier rules (resources, sysctls, kernel limits, capacity). */
export const HOST_RULES: readonly Rule[] = [];
