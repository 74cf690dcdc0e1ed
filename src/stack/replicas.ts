import type { Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import type { ReplicaTier } from './stack.js';
import { hasIdentityPlaceholder, normalizeIdentity } from './topology.js';

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

/** Splits a replica into the aspects replicas are compared on; env entries are compared one by one. */
export function replicaAspects(svc: ComposeService, tier: ReplicaTier): Map<string, ReplicaAspect> {
  const out = new Map<string, ReplicaAspect>();
  for (const [key, { data, span }] of svc.settings) {
    if (IDENTITY_KEYS.has(key) || PER_REPLICA_KEYS.has(key)) continue;
    if (key === 'environment') continue;
    out.set(key, { label: key, data, normalized: JSON.stringify(normalizeIdentity(svc, tier, data)), span });
  }
  for (const e of svc.environment) {
    const data = e.value.kind === 'known' ? e.value.value : null;
    out.set(`env:${e.key}`, { label: `environment ${e.key}`, data, normalized: JSON.stringify(normalizeIdentity(svc, tier, data)), span: e.span });
  }
  return out;
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
  return [...groups.entries()]
    .map(([normalized, members]) => ({ normalized, members }))
    .sort((a, b) => b.members.length - a.members.length || tier.replicas.indexOf(a.members[0]!) - tier.replicas.indexOf(b.members[0]!));
}

/** An aspect whose common value mentions the replica's own name or number identifies it. */
export function isIdentityAspect(normalized: string): boolean {
  return normalized !== '\0absent' && hasIdentityPlaceholder(JSON.parse(normalized));
}
