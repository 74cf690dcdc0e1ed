import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import type { NginxModel, NginxNode } from '../src/inputs/nginx.js';
import { inheritedSetting } from './support/nginx-inherit.js';
import { listNames, passTargets } from '../src/stack/topology.js';

/** A location path that names a websocket endpoint: `/ws/`, `/websocket`, `/socket.io/`, `/cable`. */
const WEBSOCKET_PATH = /(^|[/^~\s])(ws|wss|websockets?|socket\.io|cable)(\/|$|\s|\$)/i;

export default defineRule({
  meta: {
    id: 'websocket-upgrade-headers',
    description: 'Reports a location that proxies websockets without the Upgrade and Connection headers or HTTP/1.1 the handshake needs',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: 'A websocket handshake is an HTTP/1.1 request with `Upgrade: websocket` and `Connection: Upgrade`. Both are hop-by-hop headers that nginx does not pass on by itself, and `proxy_pass` speaks HTTP/1.0 unless told otherwise, so a location that proxies websockets needs `proxy_http_version 1.1`, `proxy_set_header Upgrade $http_upgrade` and `proxy_set_header Connection` with `upgrade` (or a `map` variable). The rule reports a location that sets `Upgrade` but misses one of the others, and a websocket-named location (`/ws/`, `/websocket`, `/socket.io/`, `/cable`) in front of an ASGI server (daphne, uvicorn, gunicorn with uvicorn workers) that sets neither header. `proxy_set_header` is inherited only when a level sets none of its own: one `proxy_set_header` in the location drops the `Upgrade` set in the server block, and the rule follows that.',
      why: 'Without the headers the upgrade request reaches the app as a plain GET: Channels answers 404 or 400, the browser retries, and live features silently fall back or stop (https://nginx.org/en/docs/http/websocket.html, https://channels.readthedocs.io/en/stable/deploying.html#nginx).',
      notes: 'A `Connection` value that is a variable is taken to be the documented `map $http_upgrade $connection_upgrade`. WSGI servers behind a websocket location are reported by websocket-to-wsgi.',
    },
  },
  check({ stack, report, where }) {
    for (const proxy of stack.proxies) {
      for (const loc of proxy.nginx.locations) {
        const pass = loc.proxyPass;
        if (!pass || pass.kind !== 'proxy_pass') continue;
        const headers = inheritedSetting(proxy.nginx, pass.node, 'proxy_set_header');
        const header = (name: string) => headers.find((h) => h.directive.args[0]?.value.toLowerCase() === name);
        const upgrade = header('upgrade');
        const connection = header('connection');
        const version = inheritedSetting(proxy.nginx, pass.node, 'proxy_http_version')[0];
        const http11 = version?.directive.args[0]?.value === '1.1';
        const connectionValue = connection?.directive.args[1]?.value ?? '';
        const connectionUpgrades = connectionValue.toLowerCase().includes('upgrade') || connectionValue.startsWith('$');
        if (upgrade) {
          const missing: string[] = [];
          if (!connectionUpgrades) missing.push(connection ? `Connection is "${connectionValue}" (${where(connection.directive.span)}), not upgrade` : 'no Connection header is set');
          if (!http11) missing.push(version ? `proxy_http_version is ${version.directive.args[0]?.value ?? '?'} (${where(version.directive.span)})` : 'proxy_http_version is 1.0 (the default)');
          if (missing.length === 0) continue;
          report({
            span: pass.node.directive.span,
            message: `location ${loc.match} passes Upgrade (${where(upgrade.directive.span)}) for websockets, but ${missing.join(' and ')}: nginx forwards the handshake without what it needs and the websocket never opens`,
            related: [{ span: upgrade.directive.span, message: 'Upgrade header for the websocket handshake' }, ...relatedOf(connection, http11 ? undefined : version)],
            hint: `add ${[!http11 ? 'proxy_http_version 1.1;' : '', !connectionUpgrades ? 'proxy_set_header Connection "upgrade";' : ''].filter(Boolean).join(' ')} to location ${loc.match}`,
          });
          continue;
        }
        if (!WEBSOCKET_PATH.test(loc.match)) continue;
        const asgi = passTargets(stack, pass).filter((s) => stack.app(s)?.protocol === 'asgi');
        if (asgi.length === 0) continue;
        const server = stack.app(asgi[0]!)!;
        const lost = shadowedUpgrade(pass.node, proxy.nginx);
        const why = lost ? `, because its own proxy_set_header (${where(headers[0]!.directive.span)}) replaces every one set around it, including Upgrade at ${where(lost.directive.span)}` : '';
        report({
          span: pass.node.directive.span,
          message: `location ${loc.match} proxies to ${listNames(asgi.map((s) => s.name), 3)}, an ASGI server (${server.server.kind}; ${where(server.server.span)}), but sends no Upgrade${connectionUpgrades ? '' : ' or Connection'} header${why}${http11 ? '' : ' and speaks HTTP/1.0'}: nginx drops the hop-by-hop headers of the handshake, so websocket requests arrive as plain GETs and fail`,
          related: [{ span: server.server.span, message: `${asgi[0]!.name} runs ${server.server.kind}` }, ...(lost ? [{ span: lost.directive.span, message: 'Upgrade set here, not inherited by the location' }] : []), ...relatedOf(connection)],
          hint: `add proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; to location ${loc.match}`,
        });
      }
    }
  },
});

/** An Upgrade header an outer level sets that the pass does not inherit, because a nearer level sets headers of its own. */
function shadowedUpgrade(pass: NginxNode, model: NginxModel): NginxNode | undefined {
  let effectiveFound = false;
  const levels: NginxNode['children'][] = [];
  for (let level = pass.parent; level; level = level.parent) levels.push(level.children);
  if (model.implicitMain) levels.push(model.roots.filter((r) => r.parent === undefined && r.context === 'http'));
  for (const children of levels) {
    const here = children.filter((c) => c.directive.name === 'proxy_set_header');
    if (here.length === 0) continue;
    if (!effectiveFound) {
      effectiveFound = true;
      continue;
    }
    const up = here.find((h) => h.directive.args[0]?.value.toLowerCase() === 'upgrade');
    if (up) return up;
  }
  return undefined;
}

function relatedOf(...nodes: Array<NginxNode | undefined>): Array<{ span: Span; message: string }> {
  return nodes.filter((n): n is NginxNode => n !== undefined).map((n) => ({ span: n.directive.span, message: `${n.directive.name} ${n.directive.args.map((a) => a.raw).join(' ')}` }));
}
