import { dataTier } from './data-tier.js';
import { hostTier } from './host-tier.js';
import type { Stack } from './stack.js';

/**
 * Parts of the model built from files the compose core does not read itself. They run right after the
 * core model, before any rule, so their files' parse errors and comments (suppressions) are known.
 */
export const STACK_EXTENSIONS: ReadonlyArray<(stack: Stack) => unknown> = [dataTier, hostTier];
