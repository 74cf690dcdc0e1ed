import type { Rule } from '../src/engine/rule.js';
import parseError from './parse-error.js';

/** Every rule, in the order `arena-lint rules` lists them. */
export const RULES: readonly Rule[] = [parseError];
