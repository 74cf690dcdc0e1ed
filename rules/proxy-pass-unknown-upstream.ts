import { defineRule } from '../src/engine/rule.js';
import { closest } from '../src/core/suggest.js';
import { isExternalHost } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'proxy-pass-unknown-upstream',
    description: 'Reports a proxy_pass whose host is neither an upstream nor a service of the stack',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: '`proxy_pass http://X` (and `uwsgi_pass`, `grpc_pass`, `fastcgi_pass`, `scgi_pass`) must name an `upstream` block defined in the configuration nginx loads, or a host the compose network resolves (service name, `container_name`, alias). Targets with variables, IP addresses, `localhost`, dotted external names and unix sockets are left alone.',
      why: 'A proxy_pass to a name that is neither makes nginx refuse to start (`host not found in upstream "django_backnd"`), or, when the name was an upstream renamed in one file and not the other, sends traffic to nowhere. The error appears only at deploy time.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      const upstreams = proxy.nginx.upstreams.map((u) => u.name);
      // Snippets that nothing includes may be rendered into another setup; only judge loaded files.
      for (const p of proxy.nginx.proxyPasses) {
        if (p.upstream || !p.host || isExternalHost(p.host) || stack.resolveHost(p.host)) continue;
        if (proxy.nginx.unresolvedIncludes.length > 0) continue;
        const guess = closest(p.host, [...upstreams, ...stack.services.map((s) => s.name)]);
        report({
          span: p.target.span,
          message: `${p.kind} targets "${p.host}", which is no upstream in the nginx configuration and no service of ${stack.name}${guess ? `; did you mean "${guess}"?` : ''}`,
        });
      }
    }
  },
});
