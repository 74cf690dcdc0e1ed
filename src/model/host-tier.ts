import type { Stack } from './stack.js';

/** The host a stack runs on: sysctl sources, kernel limits and the configured machine (issue: the host tier). */
export interface HostTier {
  readonly stack: string;
}

/** Builds (once) and returns the stack's host tier; called eagerly so parse errors are reported. */
export function hostTier(stack: Stack): HostTier {
  return stack.memo('host-tier', () => ({ stack: stack.name }));
}
