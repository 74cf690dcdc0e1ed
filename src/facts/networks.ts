import type { Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import type { Stack } from '../stack/stack.js';

/**
 * Which compose networks a container is attached to, as compose attaches it: the networks it lists,
 * else the project's `default` network; `network_mode: service:X` shares X's attachments; `host`,
 * `none` and the legacy `bridge` put it on no project network (service names do not resolve there).
 */
export type NetworkAttachment =
  | { readonly kind: 'networks'; readonly names: ReadonlySet<string>; readonly span: Span; readonly isDefault: boolean }
  | { readonly kind: 'isolated'; readonly mode: string; readonly span: Span }
  | { readonly kind: 'unknown'; readonly reason: string; readonly span: Span };

export function networkAttachment(stack: Stack, svc: ComposeService, seen: ReadonlySet<string> = new Set()): NetworkAttachment {
  const mode = svc.networkMode;
  if (mode) {
    if (mode.kind === 'unknown') return { kind: 'unknown', reason: `network_mode is unknown: ${mode.reason}`, span: mode.span };
    const m = /^(service|container):(.+)$/.exec(mode.value);
    // Joining another container's namespace gives no DNS name of one's own: others cannot reach it by name.
    if (m && seen.has(TARGET)) return { kind: 'isolated', mode: mode.value, span: mode.span };
    if (m?.[1] === 'service') {
      const target = stack.service(m[2]!);
      if (!target || seen.has(target.name)) return { kind: 'unknown', reason: `network_mode names ${m[2]}, which is not a service of the project`, span: mode.span };
      const shared = networkAttachment(stack, target, new Set([...seen, svc.name].filter((x) => x !== TARGET)));
      return shared.kind === 'networks' ? { ...shared, span: mode.span } : shared;
    }
    if (m) return { kind: 'unknown', reason: `network_mode shares container ${m[2]}'s network, which is outside the project`, span: mode.span };
    if (mode.value === 'host' || mode.value === 'none' || mode.value === 'bridge') return { kind: 'isolated', mode: mode.value, span: mode.span };
    // Any other value names a network (docker run --network NAME).
    return { kind: 'networks', names: new Set([mode.value]), span: mode.span, isDefault: false };
  }
  if (svc.networksUnknown) return { kind: 'unknown', reason: 'a network name in networks: cannot be read', span: svc.networksUnknown };
  if (svc.networks.length === 0) return { kind: 'networks', names: new Set(['default']), span: svc.nameSpan, isDefault: true };
  return { kind: 'networks', names: new Set(svc.networks.map((n) => n.name)), span: svc.networks[0]!.span, isDefault: false };
}

const TARGET = '\0target';

/** The attachment of a service others reach by name (its own name must be registered on a network). */
export function targetAttachment(stack: Stack, svc: ComposeService): NetworkAttachment {
  return networkAttachment(stack, svc, new Set([TARGET]));
}

/** `frontend and backend`, or `the default network` when the service lists none. */
export function describeAttachment(a: NetworkAttachment): string {
  if (a.kind === 'isolated') return `network_mode: ${a.mode}`;
  if (a.kind === 'unknown') return 'unknown networks';
  if (a.isDefault) return 'only the default network (it lists no networks:)';
  const names = [...a.names];
  return `${names.length === 1 ? 'network' : 'networks'} ${names.join(', ')}`;
}

/** Why `from` cannot reach `to` by name, or undefined when it can (or when either side is unknown). */
export function unreachableBecause(from: NetworkAttachment, to: NetworkAttachment): string | undefined {
  if (from.kind === 'unknown' || to.kind === 'unknown') return undefined;
  if (from.kind === 'isolated') return `it runs with network_mode: ${from.mode}, where compose service names do not resolve`;
  if (to.kind === 'isolated') return `the target runs with network_mode: ${to.mode}, so no project network has its name`;
  for (const n of from.names) if (to.names.has(n)) return undefined;
  return 'they share no network';
}
