import type { ContainerSpec } from '../../src/container/types.js';
import type { ComposeService } from '../../src/inputs/compose.js';
import { containerSpecOf } from '../../src/stack/compose-spec.js';
import type { Stack } from '../../src/stack/stack.js';

/** The ContainerSpec the stack builds for a compose service, for tests that drive views from real compose files. */
export function specOf(stack: Stack, svc: ComposeService): ContainerSpec {
  return containerSpecOf(svc, stack.compose.dir, stack.env(svc));
}
