import type { Stack } from '../stack/stack.js';
import { stackConcurrency, type StackConcurrency } from './concurrency.js';
import { resourceTotal, serviceResources, type ResourceKind, type ResourceSide, type ResourceTotal, type ServiceResourceUse } from './resources.js';

/**
 * The numbers rules and reports read, computed once per stack from the finished stack: concurrency
 * (containers x processes x per process), each service's resources and the stack's totals.
 */
export interface StackFacts {
  readonly concurrency: StackConcurrency;
  readonly resources: readonly ServiceResourceUse[];
  total(side: ResourceSide, kind: ResourceKind): ResourceTotal;
}

export function buildFacts(stack: Stack): StackFacts {
  const resources = serviceResources(stack);
  const totals = new Map<string, ResourceTotal>();
  for (const side of ['limits', 'reservations'] as const) {
    for (const kind of ['cpus', 'memory'] as const) totals.set(`${side}.${kind}`, resourceTotal(stack, side, kind, resources));
  }
  return Object.freeze({
    concurrency: stackConcurrency(stack),
    resources,
    total: (side: ResourceSide, kind: ResourceKind) => totals.get(`${side}.${kind}`)!,
  });
}
