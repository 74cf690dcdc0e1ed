import type { Stack } from './stack.js';
import { stackConcurrency, type StackConcurrency } from '../facts/concurrency.js';
import { serviceResources, type ServiceResourceUse } from '../facts/resources.js';
import { hostSysctls, type HostSysctls } from '../inputs/sysctl.js';

/**
 * The host a stack runs on: the repository's host sysctl sources, what each service asks of the
 * machine, and the app servers' concurrency. The configured machine (`host:`, `capacity:`) is read
 * from the config by `capacityPlan` (src/facts/plan.ts), since a stack is built without it.
 */
export interface HostTier {
  readonly stack: string;
  readonly sysctls: HostSysctls;
  readonly resources: readonly ServiceResourceUse[];
  readonly concurrency: StackConcurrency;
}

/** Builds (once) and returns the stack's host tier; called eagerly so parse errors are reported. */
export function hostTier(stack: Stack): HostTier {
  return stack.memo('host-tier', () => {
    const sysctls = hostSysctls(stack.workspace);
    // The sources are shared by every stack of the workspace; each stack lists them so parse errors
    // and suppressions in them work whichever stack a finding comes from.
    for (const src of sysctls.sources) stack.addFile(src.path, src.problems, src.comments);
    return { stack: stack.name, sysctls, resources: serviceResources(stack), concurrency: stackConcurrency(stack) };
  });
}

export { hostSysctls, serviceResources, stackConcurrency };
