import { defineRule } from '../src/engine/rule.js';
import { inherited } from '../src/inputs/nginx.js';

export default defineRule({
  meta: {
    id: 'upstream-keepalive-http11',
    description: 'Reports a location proxying to a keepalive upstream without HTTP/1.1 and a cleared Connection header',
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: 'When `proxy_pass` targets an upstream that has `keepalive N`, the location (or an enclosing server/http block) must set `proxy_http_version 1.1` and `proxy_set_header Connection ""`. nginx inherits `proxy_set_header` only when a level defines none itself, and arena-lint follows that rule. Websocket locations (which set `Upgrade`) are left to websocket rules.',
      why: 'nginx speaks HTTP/1.0 to upstreams by default and forwards `Connection: close`, so the keepalive pool is never used: every request opens a new TCP connection to gunicorn, which is what the seed\'s `keepalive 128` was meant to avoid. Under load that means ephemeral port exhaustion and extra latency.',
    },
  },
  check({ stack, report, where }) {
    for (const proxy of stack.proxies) {
      for (const loc of proxy.nginx.locations) {
        const pass = loc.proxyPass;
        if (!pass?.upstream?.keepalive || pass.kind !== 'proxy_pass') continue;
        const headers = inherited(loc.node, 'proxy_set_header');
        if (headers.some((h) => h.directive.args[0]?.value.toLowerCase() === 'upgrade')) continue;
        const version = inherited(loc.node, 'proxy_http_version')[0];
        const connection = headers.find((h) => h.directive.args[0]?.value.toLowerCase() === 'connection');
        const problems: string[] = [];
        if (version?.directive.args[0]?.value !== '1.1') problems.push(version ? `proxy_http_version is ${version.directive.args[0]?.value}` : 'proxy_http_version 1.1 is not set');
        if (!connection || connection.directive.args[1]?.value !== '') problems.push(connection ? `Connection is set to "${connection.directive.args[1]?.value}"` : 'the Connection header is not cleared');
        if (problems.length === 0) continue;
        const ka = pass.upstream.keepalive;
        report({
          span: pass.node.directive.span,
          message: `location ${loc.match} proxies to upstream ${pass.upstream.name} with keepalive ${ka.directive.args[0]?.value ?? ''} (${where(ka.directive.span)}), but ${problems.join(' and ')}; connections are never reused`,
          related: [{ span: ka.directive.span, message: `keepalive is set here` }],
          hint: 'add `proxy_http_version 1.1;` and `proxy_set_header Connection "";` to the location',
        });
      }
    }
  },
});
