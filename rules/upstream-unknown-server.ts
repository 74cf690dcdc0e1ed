import { defineRule } from '../src/engine/rule.js';
import { isExternalHost, resolvedUpstreams } from '../src/stack/topology.js';
import { closest } from '../src/core/suggest.js';

export default defineRule({
  meta: {
    id: 'upstream-unknown-server',
    description: 'Reports an upstream server whose host is no service, container_name or network alias of the stack',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: "Each `server` of an nginx `upstream` names a host. Inside a compose stack that host must be a service name, a `container_name` or a network alias of some service. IP addresses, `localhost`, names with a dot (external hosts) and `unix:` sockets are left alone.",
      why: 'nginx resolves upstream hosts at start-up and refuses to start on a name nobody answers to (`host not found in upstream`). A typo such as `web-l5` or a renamed service takes the whole proxy down on the next deploy.',
    },
  },
  check({ stack, report }) {
    const names = stack.services.flatMap((s) => [s.name, ...(s.containerName?.kind === 'known' ? [s.containerName.value] : [])]);
    for (const u of resolvedUpstreams(stack)) {
      for (const s of u.servers) {
        const host = s.server.host;
        if (s.service || !host || s.server.hasVariables || isExternalHost(host)) continue;
        const guess = closest(host, names);
        report({
          span: s.server.address.span,
          message: `upstream ${u.upstream.name} names host "${host}", which is no service, container_name or alias in ${stack.name}${guess ? `; did you mean "${guess}"?` : ''}`,
        });
      }
    }
  },
});
