import type { Fix, TextEdit } from '../src/core/fix.js';
import { defineRule } from '../src/engine/rule.js';
import { addDirectivesAfter } from '../src/fix/nginx.js';
import { inherited, type NginxNode } from '../src/inputs/nginx.js';
import type { Stack } from '../src/stack/stack.js';

export default defineRule({
  meta: {
    id: 'upstream-keepalive-http11',
    description: 'Reports a location proxying to a keepalive upstream without HTTP/1.1 and a cleared Connection header',
    defaultSeverity: 'warning',
    category: 'topology',
    fixable: 'sometimes',
    docs: {
      what: 'When `proxy_pass` targets an upstream that has `keepalive N`, the location (or an enclosing server/http block) must set `proxy_http_version 1.1` and `proxy_set_header Connection ""`. nginx inherits `proxy_set_header` only when a level defines none itself, and arena-lint follows that rule. Websocket locations (which set `Upgrade`) are left to websocket rules.',
      why: 'nginx speaks HTTP/1.0 to upstreams by default and forwards `Connection: close`, so the keepalive pool is never used: every request opens a new TCP connection to gunicorn, which is what the seed\'s `keepalive 128` was meant to avoid. Under load that means ephemeral port exhaustion and extra latency.',
      notes: 'The fix edits the location only (never a level other locations inherit from): it sets `proxy_http_version 1.1` and `proxy_set_header Connection ""` after proxy_pass, rewrites a Connection header the location sets itself, and when the location inherits its headers it copies them in, because one proxy_set_header of its own would drop them.',
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
          ...http11Fix(stack, loc.node, pass.node, version, connection, headers, loc.match),
        });
      }
    }
  },
});

/**
 * Edits inside the location: nginx's array directives are inherited only by levels that set none, so
 * the location gets its own copy of the headers it inherited before it sets one of its own.
 */
function http11Fix(
  stack: Stack,
  location: NginxNode,
  pass: NginxNode,
  version: NginxNode | undefined,
  connection: NginxNode | undefined,
  headers: readonly NginxNode[],
  match: string,
): { fix?: Fix } {
  if (pass.parent !== location) return {};
  const file = stack.sources.get(pass.directive.span.file);
  if (!file) return {};
  const text = (n: NginxNode) => stack.sources.get(n.directive.span.file)?.text.slice(n.directive.span.start, n.directive.span.end);
  const edits: TextEdit[] = [];
  const add: string[] = [];
  const versionOk = version?.directive.args[0]?.value === '1.1';
  if (!versionOk) {
    if (version && version.parent === location) edits.push({ span: version.directive.args[0]!.span, text: '1.1' });
    else add.push('proxy_http_version 1.1;');
  }
  const connectionOk = connection?.directive.args[1]?.value === '';
  if (!connectionOk) {
    const own = headers.length > 0 && headers[0]!.parent === location;
    if (connection && own) {
      const arg = connection.directive.args[1];
      if (arg) edits.push({ span: arg.span, text: '""' });
      else return {};
    } else {
      if (!own) {
        for (const h of headers) {
          if (h.directive.args[0]?.value.toLowerCase() === 'connection') continue;
          const t = text(h);
          if (t === undefined || t.includes('\n')) return {};
          add.push(t);
        }
      }
      add.push('proxy_set_header Connection "";');
    }
  }
  if (add.length) {
    const e = addDirectivesAfter(file, pass.directive.span, add);
    if (!e) return {};
    edits.push(e);
  }
  return edits.length ? { fix: { title: `use HTTP/1.1 keepalive to the upstream in location ${match}`, edits, safe: true } } : {};
}
