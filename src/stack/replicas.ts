import type { Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import type { ReplicaTier } from './stack.js';
import { hasIdentityPlaceholder, identityNormalizer } from './topology.js';

/** Keys that name a replica rather than configure it; replica-identity checks them. */
export const IDENTITY_KEYS = new Set(['container_name', 'hostname']);
/** Keys expected to differ per replica (published host ports). */
const PER_REPLICA_KEYS = new Set(['ports', 'labels']);

/** One comparable aspect of a replica: a top-level key, or one environment variable. */
export interface ReplicaAspect {
  readonly label: string;
  readonly data: unknown;
  readonly normalized: string;
  readonly span: Span;
}

/**
 * Aspects already split, per replica and tier: replica-drift and replica-identity both compare every
 * replica. The stack is immutable, so they stay valid; callers get a copy of the map to extend.
 */
const split = new WeakMap<ComposeService, { tier: ReplicaTier; aspects: ReadonlyMap<string, ReplicaAspect> }>();

/** Splits a replica into the aspects replicas are compared on; env entries are compared one by one. */
export function replicaAspects(svc: ComposeService, tier: ReplicaTier): Map<string, ReplicaAspect> {
  const done = split.get(svc);
  if (done?.tier === tier) return new Map(done.aspects);
  const out = new Map<string, ReplicaAspect>();
  const normalize = identityNormalizer(svc, tier);
  for (const [key, { data, span }] of svc.settings) {
    if (IDENTITY_KEYS.has(key) || PER_REPLICA_KEYS.has(key)) continue;
    if (key === 'environment') continue;
    out.set(key, { label: key, data, normalized: JSON.stringify(normalize(data)), span });
  }
  for (const e of svc.environment) {
    const data = e.value.kind === 'known' ? e.value.value : null;
    out.set(`env:${e.key}`, { label: `environment ${e.key}`, data, normalized: JSON.stringify(normalize(data)), span: e.span });
  }
  split.set(svc, { tier, aspects: out });
  return new Map(out);
}

export interface AspectGroup {
  readonly normalized: string;
  readonly members: ComposeService[];
}

/**
 * For one aspect, the replicas grouped by value, largest group first (ties go to the group with the
 * lowest-numbered replica, the one people copy from). Absent aspects form a group of their own.
 */
export function groupAspect(tier: ReplicaTier, aspects: ReadonlyMap<string, Map<string, ReplicaAspect>>, key: string): AspectGroup[] {
  const groups = new Map<string, ComposeService[]>();
  for (const r of tier.replicas) {
    const a = aspects.get(r.name)!.get(key);
    const k = a ? a.normalized : '\0absent';
    const list = groups.get(k) ?? [];
    list.push(r);
    groups.set(k, list);
  }
  // Positions looked up in a map: when replicas differ in an aspect there is a group per replica.
  const position = new Map<ComposeService, number>();
  if (groups.size > 1) tier.replicas.forEach((r, i) => position.has(r) || position.set(r, i));
  return [...groups.entries()]
    .map(([normalized, members]) => ({ normalized, members }))
    .sort((a, b) => b.members.length - a.members.length || position.get(a.members[0]!)! - position.get(b.members[0]!)!);
}

/** An aspect whose common value mentions the replica's own name or number identifies it. */
export function isIdentityAspect(normalized: string): boolean {
  return normalized !== '\0absent' && hasIdentityPlaceholder(JSON.parse(normalized));
}
