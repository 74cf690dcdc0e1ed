import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import { isExternalHost, listNames, resolvedUpstreams, type ResolvedUpstream } from '../src/stack/topology.js';
import { closest } from '../src/core/suggest.js';

export default defineRule({
  meta: {
    id: 'upstream-unknown-server',
    description: 'Reports an upstream server whose host is no service, container_name or network alias of the stack',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: "Each `server` of an nginx `upstream` names a host. Inside a compose stack that host must be a service name, a `container_name` or a network alias of some service. IP addresses, `localhost`, names with a dot (external hosts) and `unix:` sockets are left alone. When no server of any upstream in a file is a host of the stack (a load-balancer config for web-1..web-10 that a single-server stack also builds into its image), the file was written for another stack: that is one finding, at the line that puts the file into the container (the Dockerfile COPY or the compose mount), with each server line as a related location.",
      why: 'nginx resolves upstream hosts at start-up and refuses to start on a name nobody answers to (`host not found in upstream`). A typo such as `web-l5` or a renamed service takes the whole proxy down on the next deploy.',
    },
  },
  check({ stack, report }) {
    const names = stack.services.flatMap((s) => [s.name, ...(s.containerName?.kind === 'known' ? [s.containerName.value] : [])]);
    const unknownServers = (u: ResolvedUpstream) => u.servers.filter((s) => {
      const host = s.server.host;
      return !s.service && host && !s.server.hasVariables && !isExternalHost(host);
    });

    // One cause, one finding: a file none of whose upstream servers this stack has.
    const byFile = new Map<string, ResolvedUpstream[]>();
    for (const u of resolvedUpstreams(stack)) {
      const file = u.upstream.node.directive.span.file;
      byFile.set(file, [...(byFile.get(file) ?? []), u]);
    }
    const wholeFile = new Set<ResolvedUpstream>();
    for (const [file, ups] of byFile) {
      const unknown = ups.flatMap(unknownServers);
      const all = ups.flatMap((u) => u.servers);
      if (unknown.length < 2 || unknown.length !== all.length) continue;
      const loaded = loadedVia(stack.view(ups[0]!.proxy.service)?.filesystem.files() ?? [], file);
      if (!loaded) continue;
      ups.forEach((u) => wholeFile.add(u));
      const hosts = [...new Set(unknown.map((s) => s.server.host!))];
      report({
        span: loaded,
        message: `${file} names ${hosts.length === 1 ? 'host' : `${hosts.length} hosts`} (${listNames(hosts, 4)}) in ${ups.length === 1 ? `upstream ${ups[0]!.upstream.name}` : `${ups.length} upstreams`}, and none is a service, container_name or alias of ${stack.name}: this line loads into ${ups[0]!.proxy.service.name} a config that names none of the stack's hosts (written for another stack, or every name is wrong)`,
        related: unknown.slice(0, 10).map((s) => ({ span: s.server.address.span, message: `names "${s.server.host}"` })),
        hint: `load the nginx config written for this stack here, or name its services in ${file}`,
      });
    }

    for (const u of resolvedUpstreams(stack)) {
      if (wholeFile.has(u)) continue;
      for (const s of unknownServers(u)) {
        const host = s.server.host!;
        const guess = closest(host, names);
        report({
          span: s.server.address.span,
          message: `upstream ${u.upstream.name} names host "${host}", which is no service, container_name or alias in ${stack.name}${guess ? `; did you mean "${guess}"?` : ''}`,
        });
      }
    }
  },
});

/** The COPY or mount line that puts a repository file into the container, when it is not the file itself. */
function loadedVia(files: readonly { hostPath: string; via: Span; origin: { kind: string } }[], hostPath: string): Span | undefined {
  const f = files.find((x) => x.hostPath === hostPath && (x.origin.kind === 'copy' || x.origin.kind === 'mount'));
  return f && f.via.file !== hostPath ? f.via : undefined;
}
