import { defineRule } from '../src/engine/rule.js';
import { groupAspect, isIdentityAspect, replicaAspects } from '../src/stack/replicas.js';
import { normalizeIdentity, replicaNumber } from '../src/stack/topology.js';
import type { ReplicaTier } from '../src/stack/stack.js';
import type { ComposeService } from '../src/inputs/compose.js';

export default defineRule({
  meta: {
    id: 'replica-identity',
    description: "Reports a replica whose container_name or per-replica environment value names another replica, and names used twice",
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: "Within a replica tier, values that name the replica (`container_name: arena-web-7`, `CONTAINER_NAME=web-7`, a hostname) follow one pattern in most replicas. arena-lint masks each replica's own name and number, finds that common pattern, and reports a replica whose value does not follow it, saying what the value should be. Across the whole stack, two services with the same `container_name` are reported too.",
      why: 'Copying `web-11` to make `web-12` and forgetting to change `container_name` makes `docker compose up` fail (the name is already in use). Forgetting `CONTAINER_NAME` makes two replicas report the same name in logs and metrics, so a failing replica cannot be told apart from a healthy one.',
    },
  },
  check({ stack, report, where }) {
    const outliers = new Set<ComposeService>();
    for (const tier of stack.tiers) {
      const aspects = new Map(tier.replicas.map((r) => [r.name, identityAspects(r, tier)]));
      const keys = new Set([...aspects.values()].flatMap((m) => [...m.keys()]));
      for (const key of keys) {
        const groups = groupAspect(tier, aspects, key);
        if (groups.length < 2 || !isIdentityAspect(groups[0]!.normalized)) continue;
        const pattern = JSON.parse(groups[0]!.normalized) as unknown;
        const model = groups[0]!.members[0]!;
        for (const g of groups.slice(1)) {
          for (const r of g.members) {
            const mine = aspects.get(r.name)!.get(key);
            if (!mine) continue;
            if (key === 'container_name') outliers.add(r);
            report({
              span: mine.span,
              message: `${r.name} has ${mine.label} ${JSON.stringify(mine.data)}; following the other ${tier.name} replicas it should be ${JSON.stringify(fill(pattern, r, tier))}`,
              related: [{ span: aspects.get(model.name)!.get(key)!.span, message: `${model.name} follows the pattern here` }],
            });
          }
        }
      }
    }
    // Duplicates caused by a replica that breaks its tier's pattern are reported above, at the replica.
    const byContainerName = new Map<string, ComposeService>();
    for (const s of stack.services) {
      const cn = s.containerName;
      if (cn?.kind !== 'known') continue;
      const first = byContainerName.get(cn.value);
      if (!first) {
        byContainerName.set(cn.value, s);
        continue;
      }
      if (outliers.has(s) || outliers.has(first)) continue;
      report({
        span: cn.span,
        message: `container_name "${cn.value}" of ${s.name} is already used by ${first.name} (${where(first.containerName!.span)}); compose cannot create both`,
        related: [{ span: first.containerName!.span, message: `${first.name} uses it here` }],
      });
    }
  },
});

function identityAspects(r: ComposeService, tier: ReplicaTier) {
  const all = replicaAspects(r, tier);
  for (const key of ['container_name', 'hostname'] as const) {
    const s = r.settings.get(key);
    if (s) all.set(key, { label: key, data: s.data, normalized: JSON.stringify(normalizeIdentity(r, tier, s.data)), span: s.span });
  }
  return all;
}

function fill(pattern: unknown, r: ComposeService, tier: ReplicaTier): unknown {
  const n = tier.numbered ? replicaNumber(r) ?? '' : '';
  const s = JSON.stringify(pattern).split('{name}').join(r.name).split('{n}').join(n);
  return JSON.parse(s);
}
