import { known, mapValue, type Span, type Unknown, type Value } from '../core/value.js';
import { formatBytes, parseComposeCpus, parseComposeMemory } from '../reference/units.js';
import type { ComposeService } from '../inputs/compose.js';
import type { Stack } from '../stack/stack.js';

export type ResourceKind = 'cpus' | 'memory';
export type ResourceSide = 'limits' | 'reservations';

/** One resource of one service, read with compose's unit grammar; `raw` is the text as written. */
export interface ResourceAmount {
  readonly value: Value<number>;
  readonly raw?: string;
}

/** What one compose service asks of the host. */
export interface ServiceResourceUse {
  readonly service: ComposeService;
  /** Containers the service starts: `deploy.replicas`, else 1 (marked isDefault). */
  readonly count: Value<number>;
  readonly limits: Readonly<Partial<Record<ResourceKind, ResourceAmount>>>;
  readonly reservations: Readonly<Partial<Record<ResourceKind, ResourceAmount>>>;
}

/**
 * Compose's older service-level keys, still honoured by `docker compose up`: `cpus`, `mem_limit`,
 * `mem_reservation`. They only count when `deploy.resources` does not set the same value.
 */
const LEGACY_KEYS: ReadonlyArray<[ResourceSide, ResourceKind, string]> = [
  ['limits', 'cpus', 'cpus'],
  ['limits', 'memory', 'mem_limit'],
  ['reservations', 'memory', 'mem_reservation'],
];

const parseOf: Record<ResourceKind, (raw: string) => number | undefined> = {
  cpus: parseComposeCpus,
  memory: parseComposeMemory,
};

function amount(kind: ResourceKind, v: Value<string>): ResourceAmount {
  const value = mapValue(v, parseOf[kind], kind === 'cpus' ? 'compose cannot read this cpus value' : 'compose cannot read this memory value');
  return v.kind === 'known' ? { value, raw: v.value } : { value };
}

/** Every service's resources, in compose order (computed once per stack, in its facts). */
export function serviceResources(stack: Stack): readonly ServiceResourceUse[] {
  return stack.services.map((service) => {
      const limits: Partial<Record<ResourceKind, ResourceAmount>> = {};
      const reservations: Partial<Record<ResourceKind, ResourceAmount>> = {};
      const sides = { limits, reservations };
      const r = service.resources;
      for (const side of ['limits', 'reservations'] as const) {
        for (const kind of ['cpus', 'memory'] as const) {
          const v = r?.[side][kind];
          if (v) sides[side][kind] = amount(kind, v);
        }
      }
      for (const [side, kind, key] of LEGACY_KEYS) {
        const s = service.settings.get(key);
        if (sides[side][kind] || !s || (typeof s.data !== 'string' && typeof s.data !== 'number')) continue;
        sides[side][kind] = amount(kind, known(String(s.data), s.span));
      }
      const count: Value<number> = service.replicas ?? known(1, service.nameSpan, { isDefault: true });
      return { service, count, limits, reservations };
    });
}

/** A CPU or memory amount for messages: `2.0` CPUs keep one decimal like the seed's tables, memory in binary units. */
export function formatAmount(kind: ResourceKind, n: number): string {
  return kind === 'cpus' ? (Number.isInteger(n * 10) ? n.toFixed(1) : String(Number(n.toFixed(3)))) : formatBytes(n);
}

/** A computed number for messages: at most `digits` decimals, no trailing zeros (`960`, `170.67`). */
export function formatNumber(n: number, digits = 2): string {
  return String(Number(n.toFixed(digits)));
}

/** One summand of a total: `15 x web 2.0`, `redis 2.0`. */
export interface ResourceTerm {
  readonly label: string;
  readonly count: number;
  readonly each: number;
  /** Where each counted value is written (the first one of a group first). */
  readonly spans: readonly Span[];
  readonly services: readonly ComposeService[];
}

export interface ResourceTotal {
  readonly kind: ResourceKind;
  readonly side: ResourceSide;
  readonly total: number;
  readonly terms: readonly ResourceTerm[];
  /** Services that set no value of this kind on this side; they are not in the total. */
  readonly missing: readonly ComposeService[];
  /** Why the total cannot be known (a replica count or value comes from the deploying shell); undefined when it is known. */
  readonly unknown?: { readonly reason: string; readonly span: Span };
}

/**
 * The sum of one resource over the stack, replicas counted. Replicas of a tier with the same value are
 * one term (`15 x web 2.0`), like the seed's "15 Django containers: 30 CPU".
 */
export function resourceTotal(stack: Stack, side: ResourceSide, kind: ResourceKind, uses: readonly ServiceResourceUse[] = serviceResources(stack)): ResourceTotal {
  {
    const terms: { key: string; label: string; count: number; each: number; spans: Span[]; services: ComposeService[] }[] = [];
    const missing: ComposeService[] = [];
    let unknownAt: { reason: string; span: Span } | undefined;
    for (const use of uses) {
      const a = use[side][kind];
      if (!a) {
        missing.push(use.service);
        continue;
      }
      if (a.value.kind === 'unknown' || use.count.kind === 'unknown') {
        const u = a.value.kind === 'unknown' ? a.value : (use.count as Unknown);
        unknownAt ??= { reason: `${use.service.name}: ${u.reason}`, span: u.span };
        continue;
      }
      const tier = stack.tierOf(use.service);
      const label = tier ? tier.name : use.service.name;
      const key = `${label}\0${a.value.value}`;
      const existing = tier ? terms.find((t) => t.key === key) : undefined;
      if (existing) {
        existing.count += use.count.value;
        existing.spans.push(a.value.span);
        existing.services.push(use.service);
      } else {
        terms.push({ key, label, count: use.count.value, each: a.value.value, spans: [a.value.span], services: [use.service] });
      }
    }
    const total = terms.reduce((sum, t) => sum + t.count * t.each, 0);
    return { kind, side, total, terms: terms.map(({ key: _key, ...t }) => t), missing, ...(unknownAt ? { unknown: unknownAt } : {}) };
  }
}

/** `15 x web 2.0 + redis 2.0 + nginx 2.0 + pgbouncer 1.0 = 35.0 CPUs` */
export function describeTotal(t: ResourceTotal): string {
  const parts = t.terms.map((term) => `${term.count === 1 ? '' : `${term.count} x `}${term.label} ${formatAmount(t.kind, term.each)}`);
  return `${parts.join(' + ')} = ${formatAmount(t.kind, t.total)}${t.kind === 'cpus' ? ' CPUs' : ''}`;
}
