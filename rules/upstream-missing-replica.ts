import { defineRule } from '../src/engine/rule.js';
import { listNames, resolvedUpstreams } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'upstream-missing-replica',
    description: 'Reports a replica of a tier that is missing from an nginx upstream serving that tier',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: 'For every nginx `upstream` block, arena-lint resolves each `server host:port` to the compose service it reaches (service name, `container_name` or network alias). When an upstream lists at least two replicas of a tier (`web-1`..`web-N`, or services that share build and command), every replica of that tier must be listed. Servers marked `backup` or `down` count as listed.',
      why: 'Adding `web-15` to compose without adding it to every upstream leaves a container that starts, passes its health check and never receives traffic from that upstream, while the other replicas carry its share. The seed plan says "add web-11 through web-15 to all upstream blocks": one forgotten block silently caps capacity.',
      notes: 'An upstream that names a single replica is taken as deliberate pinning and not checked.',
    },
  },
  check({ stack, report, where }) {
    for (const u of resolvedUpstreams(stack)) {
      const listed = new Set(u.servers.flatMap((s) => (s.service ? [s.service.name] : [])));
      const tiers = new Set(u.servers.flatMap((s) => (s.service && stack.tierOf(s.service) ? [stack.tierOf(s.service)!] : [])));
      for (const tier of tiers) {
        const present = tier.replicas.filter((r) => listed.has(r.name));
        if (present.length < 2) continue;
        const missing = tier.replicas.filter((r) => !listed.has(r.name));
        if (missing.length === 0) continue;
        const lastOfTier = [...u.servers].reverse().find((s) => s.service && tier.replicas.includes(s.service))!;
        report({
          span: lastOfTier.server.node.directive.span,
          message: `upstream ${u.upstream.name} lists ${present.length} of ${tier.replicas.length} ${tier.name} replicas; ${listNames(missing.map((m) => m.name))} ${missing.length === 1 ? 'is' : 'are'} missing (${where(missing[0]!.nameSpan)})`,
          related: missing.map((m) => ({ span: m.nameSpan, message: `${m.name} is defined here` })),
          hint: `add ${missing.map((m) => `\`server ${m.name}:${lastOfTier.server.port};\``).slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''} to upstream ${u.upstream.name}`,
        });
      }
    }
  },
});
