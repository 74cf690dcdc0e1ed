import type { ComposeService } from '../inputs/compose.js';
import type { Stack } from '../stack/stack.js';

/** Services that share a finding: replicas of one tier with the same key, or a single service. */
export interface ServiceGroup<T> {
  /** `web` for a whole tier, `web-11..web-15` for a run of it, `web-3` or `redis` for one service. */
  readonly name: string;
  readonly services: readonly ComposeService[];
  /** The first member's item. */
  readonly item: T;
  readonly items: readonly T[];
}

/**
 * Groups per-service facts so a tier of fifteen identical replicas yields one finding, not fifteen:
 * members of one replica tier with equal `key` form a group; every other service is its own.
 */
export function groupByTier<T>(stack: Stack, entries: ReadonlyArray<{ service: ComposeService; key: string; item: T }>): ServiceGroup<T>[] {
  const groups = new Map<string, { services: ComposeService[]; items: T[] }>();
  for (const e of entries) {
    const tier = stack.tierOf(e.service);
    const k = tier ? `tier\0${tier.name}\0${e.key}` : `service\0${e.service.name}\0${e.key}`;
    const g = groups.get(k);
    if (g) {
      g.services.push(e.service);
      g.items.push(e.item);
    } else groups.set(k, { services: [e.service], items: [e.item] });
  }
  return [...groups.values()].map((g) => ({ name: groupName(stack, g.services), services: g.services, item: g.items[0]!, items: g.items }));
}

export function groupName(stack: Stack, services: readonly ComposeService[]): string {
  const first = services[0]!;
  const tier = stack.tierOf(first);
  if (!tier || services.length === 1) return first.name;
  if (tier.replicas.length === services.length) return tier.name;
  return `${first.name}..${services[services.length - 1]!.name}`;
}
