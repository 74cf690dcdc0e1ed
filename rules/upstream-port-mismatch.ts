import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import { listenPorts, resolvedUpstreams } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'upstream-port-mismatch',
    description: "Reports an upstream server or proxy_pass port that is not the port the service's app server binds",
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: "For each upstream server (and each `proxy_pass http://service:port`) that reaches a compose service, arena-lint reads the port the service's app server listens on from its command: gunicorn `--bind`/`-b` (gunicorn's default `127.0.0.1:8000` counts as unknown, since it is reachable only from inside the container), uvicorn `--port`, daphne `-p`. The port nginx connects to must be one of them.",
      why: 'Changing `--bind 0.0.0.0:8000` to `:8001` on the replicas, or copying an upstream line from another project, makes nginx connect to a closed port: every request through that server fails with 502 while the container looks healthy.',
    },
  },
  check({ stack, report, where, unknown }) {
    const check = (svcPorts: ReturnType<typeof listenPorts>, port: number, at: Span, label: string, svcName: string) => {
      // A default bind is not a statement about the port; stay silent rather than guess.
      if (!svcPorts || svcPorts.length === 0 || svcPorts.every((p) => p.isDefault)) {
        unknown(`the port ${svcName} listens on is ${svcPorts ? 'not set on its command line' : 'unknown'}`, at);
        return;
      }
      if (svcPorts.some((p) => p.port === port)) return;
      const first = svcPorts[0]!;
      report({
        span: at,
        message: `${label} connects to ${svcName} on port ${port}, but its app server listens on ${svcPorts.map((p) => p.port).join(', ')} (${where(first.span)})`,
        related: [{ span: first.span, message: `${svcName} binds port ${first.port} here` }],
        hint: `use port ${first.port}, or change the bind of ${svcName}`,
      });
    };
    for (const u of resolvedUpstreams(stack)) {
      for (const s of u.servers) {
        if (!s.service || s.server.host === undefined) continue;
        const app = stack.app(s.service);
        if (!app) continue;
        check(listenPorts(app), s.server.port, s.server.portSpan, `upstream ${u.upstream.name}`, s.service.name);
      }
    }
    for (const proxy of stack.proxies) {
      for (const p of proxy.nginx.proxyPasses) {
        if (p.upstream || !p.host || p.port === undefined) continue;
        const svc = stack.resolveHost(p.host);
        const app = svc && stack.app(svc);
        if (!svc || !app) continue;
        check(listenPorts(app), p.port, p.target.span, p.node.directive.name, svc.name);
      }
    }
  },
});
