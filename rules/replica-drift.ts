import { defineRule } from '../src/engine/rule.js';
import { groupAspect, isIdentityAspect, replicaAspects, type ReplicaAspect } from '../src/stack/replicas.js';
import type { GunicornOptions } from '../src/container/gunicorn.js';
import { listNames } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'replica-drift',
    description: 'Reports a replica that differs from the rest of its tier in anything but its identity',
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: "Replicas of one tier (`web-1`..`web-N`, or services sharing build and command) are compared key by key after interpolation and merge keys: command (flag by flag for gunicorn), image and build, `deploy` resources, environment (variable by variable), env_file, healthcheck, ulimits, sysctls, volumes, networks, depends_on. The replica's own name and number are masked first, so `CONTAINER_NAME=web-7` in web-7 equals `CONTAINER_NAME=web-8` in web-8. The majority value is taken as intended and each outlier is reported with what it differs in. `container_name`, `hostname` and published `ports` are left to replica-identity.",
      why: 'The seed plan adds replicas by copying a block ("same as web-11, change container_name and CONTAINER_NAME") and changes every replica\'s command and resources by hand. One replica left with `--workers 4` or `memory: 1024M` serves a fraction of its share, or is OOM-killed under the load its peers handle, and nobody sees it in a fifteen-block file.',
    },
  },
  check({ stack, report, where }) {
    for (const tier of stack.tiers) {
      if (tier.replicas.length < 2) continue;
      const aspects = new Map(tier.replicas.map((r) => [r.name, replicaAspects(r, tier)]));
      const keys = new Set([...aspects.values()].flatMap((m) => [...m.keys()]));
      for (const key of keys) {
        const groups = groupAspect(tier, aspects, key);
        if (groups.length < 2) continue;
        const major = groups[0]!;
        if (isIdentityAspect(major.normalized)) continue;
        const ref = major.members[0]!;
        const refAspect = aspects.get(ref.name)!.get(key);
        for (const g of groups.slice(1)) {
          for (const outlier of g.members) {
            const mine = aspects.get(outlier.name)!.get(key);
            const at = mine?.span ?? outlier.nameSpan;
            const detail = describe(key, mine, refAspect, stack.app(outlier)?.gunicorn, stack.app(ref)?.gunicorn);
            report({
              span: at,
              message: `${outlier.name} differs from ${major.members.length} other ${tier.name} replica${major.members.length > 1 ? 's' : ''} (${listNames(major.members.map((m) => m.name), 3)}) in ${detail}${refAspect ? ` (${where(refAspect.span)})` : ''}`,
              related: refAspect ? [{ span: refAspect.span, message: `${ref.name} has it this way` }] : [{ span: ref.nameSpan, message: `${ref.name} is defined here` }],
            });
          }
        }
      }
    }
  },
});

function describe(key: string, mine: ReplicaAspect | undefined, ref: ReplicaAspect | undefined, g?: GunicornOptions, refG?: GunicornOptions): string {
  if (!mine) return `${ref?.label ?? key}: it has none`;
  if (!ref) return `${mine.label}: the others have none`;
  if (key === 'command' && g && refG) {
    const diffs: string[] = [];
    const names = new Set([...g.given.keys(), ...refG.given.keys()]);
    for (const n of names) {
      const a = g.given.get(n);
      const b = refG.given.get(n);
      const av = a?.kind === 'known' ? a.value : a ? '?' : undefined;
      const bv = b?.kind === 'known' ? b.value : b ? '?' : undefined;
      if (av === bv) continue;
      diffs.push(av === undefined ? `no --${n} (others: ${bv})` : bv === undefined ? `--${n} ${av} (others: none)` : `--${n} ${av} (others: ${bv})`);
    }
    if (diffs.length) return `command: ${diffs.join(', ')}`;
  }
  const [path, a, b] = firstDifference(mine.data, ref.data, mine.label);
  return `${path}: ${short(a)} (others: ${short(b)})`;
}

/** The first leaf where two values differ, as a dotted path, so the message names `deploy.resources.limits.memory`. */
function firstDifference(a: unknown, b: unknown, path: string): [string, unknown, unknown] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      if (JSON.stringify(ra[k]) !== JSON.stringify(rb[k])) return firstDifference(ra[k], rb[k], `${path}.${k}`);
    }
  }
  return [path, a ?? 'none', b ?? 'none'];
}

function short(data: unknown): string {
  const s = typeof data === 'string' ? data : JSON.stringify(data);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
