import type { Span } from '../src/core/value.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { defineRule } from '../src/engine/rule.js';
import type { ProxyPass } from '../src/inputs/nginx.js';
import { resolvedUpstreams } from '../src/stack/topology.js';
import type { Stack } from '../src/stack/stack.js';
import { appListeners, type AppListener } from './support/app-timeouts.js';

type Protocol = AppListener['protocol'];

const WHAT: Readonly<Record<Protocol, string>> = { http: 'plain HTTP', https: 'HTTPS (TLS)', uwsgi: "uWSGI's binary uwsgi protocol" };

const CONSEQUENCE: Readonly<Record<string, string>> = {
  'http>uwsgi': 'uWSGI reads the HTTP request as a uwsgi packet ("invalid request block size") and drops it, so every request ends in 502',
  'https>uwsgi': 'the TLS handshake reaches a uwsgi socket and fails, so every request ends in 502',
  'uwsgi>http': 'the server reads nginx\'s binary uwsgi packets as a malformed HTTP request and answers 400 or closes, so every request ends in 502',
  'uwsgi>https': 'the server expects a TLS handshake and gets uwsgi packets, so every request ends in 502',
  'https>http': 'nginx starts a TLS handshake with a plain-HTTP server ("wrong version number"), so every request ends in 502',
  'http>https': 'nginx sends plain HTTP to a TLS socket, which drops it, so every request ends in 502',
};

interface Target {
  readonly service: ComposeService;
  readonly port?: number;
  readonly span: Span;
}

export default defineRule({
  meta: {
    id: 'upstream-protocol-mismatch',
    description: 'Reports nginx speaking another protocol than the app server behind it listens with (HTTP, HTTPS or uwsgi)',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: 'Follows each `proxy_pass` and `uwsgi_pass` to the app servers it reaches and compares what nginx speaks with what the server\'s socket expects on that port: `proxy_pass http://` speaks HTTP, `proxy_pass https://` TLS, `uwsgi_pass` the binary uwsgi protocol; gunicorn, uvicorn and daphne speak HTTP (HTTPS with `--certfile`/`--ssl-*`), uWSGI speaks uwsgi on `--socket` and HTTP on `--http`/`--http-socket`. The rule reports a pass whose protocol is not the one of the socket it reaches.',
      why: 'Nothing in either program\'s configuration check notices; the first request after deploy fails with 502 and the logs speak of "invalid request block size", "upstream prematurely closed connection" or "wrong version number" (https://uwsgi-docs.readthedocs.io/en/latest/Nginx.html, https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html).',
      notes: 'Read from the server\'s command line; a server started with a config file (uwsgi.ini, gunicorn.conf.py) or endpoints arena-lint does not read keeps the rule silent. A pass to a port the server does not listen on is upstream-port-mismatch\'s finding, not this one.',
    },
  },
  check({ stack, report, where }) {
    // Every pass to an upstream reaches all of its replicas: read each service's sockets once.
    const listenersOf = new Map<ComposeService, AppListener[] | undefined>();
    for (const proxy of stack.proxies) {
      for (const pass of proxy.nginx.proxyPasses) {
        const speaks = passProtocol(pass);
        if (!speaks) continue;
        for (const t of targets(stack, pass)) {
          if (!listenersOf.has(t.service)) listenersOf.set(t.service, appListeners(stack, t.service));
          const listeners = listenersOf.get(t.service);
          if (!listeners) continue;
          const l = t.port === undefined ? (listeners.length === 1 ? listeners[0] : undefined) : listeners.find((x) => x.port === t.port);
          if (!l || l.protocol === speaks) continue;
          report({
            span: t.span,
            message: `${pass.kind} ${pass.target.value} speaks ${WHAT[speaks]} to ${t.service.name}${t.port !== undefined ? `:${t.port}` : ''}, which listens with ${WHAT[l.protocol]} (${l.how}; ${where(l.span)}): ${CONSEQUENCE[`${speaks}>${l.protocol}`]}`,
            related: [{ span: l.span, message: `${t.service.name} listens with ${WHAT[l.protocol]}` }, ...(t.span === pass.node.directive.span ? [] : [{ span: pass.node.directive.span, message: `${pass.kind} ${pass.target.value}` }])],
            hint: l.protocol === 'uwsgi' ? 'use uwsgi_pass (with include uwsgi_params), or start uWSGI with --http-socket' : speaks === 'uwsgi' ? `use proxy_pass http://, or start uWSGI with --socket` : `use proxy_pass ${l.protocol}://`,
          });
        }
      }
    }
  },
});

function passProtocol(pass: ProxyPass): Protocol | undefined {
  const scheme = /^([a-z]+):\/\//.exec(pass.target.value)?.[1];
  if (pass.kind === 'proxy_pass') return scheme === 'https' ? 'https' : scheme === 'http' ? 'http' : undefined;
  if (pass.kind === 'uwsgi_pass') return scheme === 'suwsgi' ? undefined : 'uwsgi';
  return undefined;
}

/** Each service a pass reaches, with the port and the line to edit (the upstream server, or the pass). */
function targets(stack: Stack, pass: ProxyPass): Target[] {
  if (pass.upstream) {
    const r = resolvedUpstreams(stack).find((u) => u.upstream === pass.upstream);
    return (r?.servers ?? []).flatMap((s) => (s.service && !s.server.hasVariables && s.server.host ? [{ service: s.service, port: s.server.port, span: pass.node.directive.span }] : []));
  }
  const svc = pass.host ? stack.resolveHost(pass.host) : undefined;
  if (!svc) return [];
  const defaultPort = pass.kind === 'proxy_pass' ? (/^https:/.test(pass.target.value) ? 443 : 80) : undefined;
  const port = pass.port ?? defaultPort;
  return [{ service: svc, ...(port !== undefined ? { port } : {}), span: pass.node.directive.span }];
}
