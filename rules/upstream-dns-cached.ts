import type { Span } from '../src/core/value.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { defineRule } from '../src/engine/rule.js';
import type { NginxModel, NginxNode } from '../src/inputs/nginx.js';
import { inheritedSetting } from './support/nginx-inherit.js';
import { resolvedUpstreams } from '../src/stack/topology.js';
import type { Stack } from '../src/stack/stack.js';

interface Pinned {
  readonly span: Span;
  readonly what: string;
  readonly service: ComposeService;
  readonly replicas: number;
  readonly replicasSpan: Span;
  readonly resolver: boolean;
  readonly upstream: boolean;
}

export default defineRule({
  meta: {
    id: 'upstream-dns-cached',
    description: 'Reports nginx proxying by name to a replicated service without re-resolving the name, so scaled or recreated replicas are missed',
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: 'nginx resolves a host name in `proxy_pass http://web:8000` or in an upstream `server web:8000` once, when it starts, and keeps the addresses it got. The rule reports such a name when the compose service it reaches runs several replicas (`deploy.replicas` above 1), whose containers come and go with every `--scale` and every deploy, unless nginx re-resolves it: `proxy_pass` through a variable with a `resolver` (Docker\'s DNS is `127.0.0.11`), or `server web:8000 resolve` in an upstream with a `zone` (nginx 1.27.3+).',
      why: 'After a scale-up the new replicas never get a request; after a replica is recreated its old address keeps getting traffic that fails with 502 until someone reloads nginx. The load balancing the replicas were added for silently does not happen (https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolve, https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver).',
      notes: 'This is how docker compose names replicas (one DNS record per container). Under Docker swarm\'s default virtual-IP endpoint mode the name resolves to one stable address and nginx\'s caching is harmless; disable the rule for swarm stacks. A replica count that is not known (`${REPLICAS}`) keeps the rule silent.',
    },
  },
  check({ stack, report, where }) {
    for (const p of pinnedNames(stack)) {
      report({
        span: p.span,
        message: `${p.what} names ${p.service.name}, which runs ${p.replicas} replicas (${where(p.replicasSpan)}), but nginx resolves the name once at start${p.resolver ? ' (a resolver is set, but a fixed name is never re-resolved)' : ''}: replicas added by a scale never get a request, and a recreated replica's old address keeps getting them (502) until nginx reloads`,
        related: [{ span: p.replicasSpan, message: `${p.service.name}: ${p.replicas} replicas` }],
        hint: p.upstream
          ? `add \`zone\` and \`resolver 127.0.0.11 valid=10s;\` and write \`server ${p.service.name}:PORT resolve;\` (nginx 1.27.3+), or proxy through a variable`
          : `add \`resolver 127.0.0.11 valid=10s;\` and proxy through a variable: \`set $backend ${p.service.name}; proxy_pass http://$backend:PORT;\``,
      });
    }
  },
});

function pinnedNames(stack: Stack): Pinned[] {
  const out: Pinned[] = [];
  const replicated = (svc: ComposeService | undefined) => (svc?.replicas?.kind === 'known' && svc.replicas.value > 1 ? svc.replicas : undefined);
  for (const r of resolvedUpstreams(stack)) {
    const zoned = r.upstream.node.children.some((c) => c.directive.name === 'zone');
    for (const { server, service } of r.servers) {
      const replicas = replicated(service);
      if (!service || !replicas || server.hasVariables) continue;
      const resolver = hasResolver(r.proxy.nginx, r.upstream.node);
      if (server.params.has('resolve') && zoned && resolver) continue;
      out.push({ span: server.node.directive.span, what: `upstream ${r.upstream.name} server ${server.address.value}`, service, replicas: replicas.value, replicasSpan: replicas.span, resolver, upstream: true });
    }
  }
  for (const proxy of stack.proxies) {
    for (const pass of proxy.nginx.proxyPasses) {
      if (pass.upstream || !pass.host || pass.target.value.includes('$')) continue;
      const service = stack.resolveHost(pass.host);
      const replicas = replicated(service);
      if (!service || !replicas) continue;
      out.push({ span: pass.node.directive.span, what: `${pass.kind} ${pass.target.value}`, service, replicas: replicas.value, replicasSpan: replicas.span, resolver: hasResolver(proxy.nginx, pass.node), upstream: false });
    }
  }
  return out;
}

function hasResolver(model: NginxModel, node: NginxNode): boolean {
  return inheritedSetting(model, node, 'resolver').length > 0;
}
