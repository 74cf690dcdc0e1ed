import { defineRule } from '../src/engine/rule.js';
import type { NginxNode } from '../src/inputs/nginx.js';
import { allNodes, variableOrigin, variablesIn } from '../src/security/nginx-levels.js';

/** The redirect target of `return 301 URL` or of a redirecting `rewrite`, if the node is one. */
function redirectTarget(node: NginxNode): string | undefined {
  const d = node.directive;
  if (d.name === 'return') {
    const [code, url] = d.args.map((a) => a.value);
    if (url !== undefined && /^30[1278]$/.test(code ?? '')) return url;
    if (url === undefined && code !== undefined && /^(https?:\/\/|\$scheme)/.test(code)) return code;
    return undefined;
  }
  if (d.name === 'rewrite' && d.args[1]) {
    const flag = d.args[2]?.value;
    const to = d.args[1].value;
    if (flag === 'redirect' || flag === 'permanent' || /^(https?:\/\/|\$scheme)/.test(to)) return to;
  }
  return undefined;
}

/** A server nginx picks for any Host: the default server of its port, or one without a real server_name. */
function servesAnyHost(node: NginxNode): boolean {
  let server = node.parent;
  while (server && server.directive.name !== 'server') server = server.parent;
  if (!server) return false;
  if (server.children.some((c) => c.directive.name === 'listen' && c.directive.args.some((a) => a.value === 'default_server' || a.value === 'default'))) return true;
  const names = server.children.filter((c) => c.directive.name === 'server_name').flatMap((c) => c.directive.args.map((a) => a.value));
  return names.every((n) => n === '' || n === '_' || n === 'localhost' || n.startsWith('~') || n === '*');
}

export default defineRule({
  meta: {
    id: 'nginx-host-spoofing',
    description: 'Reports a Host header or redirect built from the raw client Host ($http_host) or a request argument',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'Reports `proxy_set_header Host` whose value comes from the client (`$http_host`, `$arg_*`, another `$http_*` header, or a `set` variable holding one), and a redirect (`return 301 ...`, a redirecting `rewrite`) whose target contains `$http_host`. `$http_host` is reported in servers with a server_name of their own (not `_`, not the `default_server`): in a catch-all server any Host reaches Django through `$host` as well, and ALLOWED_HOSTS is what guards it (`allowed-hosts`). `proxy_set_header Host $host` and `$host` in redirects are not reported. Matches gixy\'s `host_spoofing` plugin.',
      why: 'nginx picks the server block by the host of the request line when the client sends an absolute URI (`GET http://example.com/ HTTP/1.1`), so `$host` is the name nginx matched while `$http_host` is whatever the client put in the Host header. Passing that to Django lets a client choose the host Django builds absolute URLs from (password-reset links, redirects, `request.build_absolute_uri`), and redirects to it send users to the client\'s choice.',
      notes: '`$host` is left alone: it is the request line\'s host, else the Host header, else the server name, and a browser cannot be made to send another site\'s Host, so a redirect to `https://$host$request_uri` only misleads the client that forged it. Django\'s own check is ALLOWED_HOSTS (see `allowed-hosts`).',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const node of allNodes(proxy.nginx)) {
        const d = node.directive;
        if (d.name === 'proxy_set_header' && d.args[0]?.value.toLowerCase() === 'host' && d.args[1]) {
          const vars = variablesIn(d.args[1].value);
          const client = vars.map((v) => ({ v, o: variableOrigin(node, v.name) })).find((x) => x.o.kind === 'client');
          if (!client || client.o.kind !== 'client') continue;
          // In a catch-all server any Host reaches Django through $host too; only a named server's choice is undone.
          if (client.v.name === 'http_host' && servesAnyHost(node)) continue;
          report({
            span: d.args[1].span,
            message: `proxy_set_header Host ${d.args[1].value} passes a Host the client chose (${client.o.why}), not the server name nginx matched: the app behind nginx (Django's request.get_host()) builds absolute URLs from it`,
            ...(client.o.span ? { related: [{ span: client.o.span, message: 'the variable is set here' }] } : {}),
            hint: 'use `proxy_set_header Host $host;`',
          });
          continue;
        }
        const target = redirectTarget(node);
        if (target !== undefined && !servesAnyHost(node) && variablesIn(target).some((v) => v.name === 'http_host' || v.name === 'http_x_forwarded_host')) {
          const arg = d.name === 'return' ? d.args.at(-1)! : d.args[1]!;
          report({
            span: arg.span,
            message: `${d.name} redirects to ${target}, built from the raw Host header the client sent ($http_host): the client chooses where the redirect goes, port included`,
            hint: 'redirect to the server name (`$server_name`) or to `$host`',
          });
        }
      }
    }
  },
});
