import type { Fix } from '../src/core/fix.js';
import { defineRule } from '../src/engine/rule.js';
import { addServerLines } from '../src/fix/nginx.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { listNames, resolvedUpstreams, type ResolvedUpstreamServer } from '../src/stack/topology.js';
import type { Stack } from '../src/stack/stack.js';

export default defineRule({
  meta: {
    id: 'upstream-missing-replica',
    description: 'Reports a replica of a tier that is missing from an nginx upstream serving that tier',
    defaultSeverity: 'error',
    category: 'topology',
    fixable: 'sometimes',
    docs: {
      what: 'For every nginx `upstream` block, arena-lint resolves each `server host:port` to the compose service it reaches (service name, `container_name` or network alias). When an upstream lists at least two replicas of a tier (`web-1`..`web-N`, or services that share build and command), every replica of that tier must be listed. Servers marked `backup` or `down` count as listed.',
      why: 'Adding `web-15` to compose without adding it to every upstream leaves a container that starts, passes its health check and never receives traffic from that upstream, while the other replicas carry its share. The seed plan says "add web-11 through web-15 to all upstream blocks": one forgotten block silently caps capacity.',
      notes: 'An upstream that names a single replica is taken as deliberate pinning and not checked. The fix copies the last server line of the tier for each missing replica (same port and parameters), naming it the way that line names its replica (service name or container_name); it is not offered when that line holds variables.',
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
          ...withFix(serverLinesFix(stack, u.upstream.name, lastOfTier, missing)),
        });
      }
    }
  },
});

function withFix(fix: Fix | undefined): { fix?: Fix } {
  return fix ? { fix } : {};
}

/** The host a new server line names: as the template line names its own replica. */
function hostFor(template: ResolvedUpstreamServer, replica: ComposeService): string | undefined {
  const host = template.server.host;
  const svc = template.service!;
  if (host === svc.name) return replica.name;
  if (svc.containerName?.kind === 'known' && host === svc.containerName.value) return replica.containerName?.kind === 'known' ? replica.containerName.value : undefined;
  if (svc.hostname?.kind === 'known' && host === svc.hostname.value) return replica.hostname?.kind === 'known' ? replica.hostname.value : undefined;
  return undefined;
}

function serverLinesFix(stack: Stack, upstream: string, template: ResolvedUpstreamServer, missing: readonly ComposeService[]): Fix | undefined {
  const file = stack.sources.get(template.server.node.directive.span.file);
  const hosts = missing.map((m) => hostFor(template, m));
  if (!file || !template.server.host || hosts.some((h) => h === undefined)) return undefined;
  const edit = addServerLines(file, { span: template.server.node.directive.span, address: template.server.address.span, host: template.server.host }, hosts as string[]);
  return edit ? { title: `add ${listNames(hosts as string[])} to upstream ${upstream}`, edits: [edit], safe: true } : undefined;
}
