import { defineRule } from '../src/engine/rule.js';
import { editSpan } from '../src/inputs/django.js';
import { groupBy } from '../src/stack/data-tier.js';
import { djangoRoutes, headerOfMetaKey, sentHeader, serverNames, setting, stringItems, terminatesTls, type DjangoRoute } from '../src/security/edge.js';
import { effective, levelLabel, levelOf } from '../src/security/nginx-levels.js';

/** The values a header set to `value` can take, or undefined when it depends on something unknown. */
function possibleValues(value: string): { values: string[]; client: boolean } | undefined {
  if (/^\$http_/i.test(value)) return { values: [], client: true };
  if (value === '$scheme') return { values: ['http', 'https'], client: false };
  if (!value.includes('$')) return { values: [value], client: false };
  return undefined;
}

export default defineRule({
  meta: {
    id: 'forwarded-proto',
    description: 'Reports Django\'s SECURE_PROXY_SSL_HEADER disagreeing with the header nginx sends to it',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'For every nginx location whose proxy_pass reaches a Django app (through upstreams and compose service names), compares that app\'s `SECURE_PROXY_SSL_HEADER` with the `proxy_set_header` in effect there (includes and nginx\'s inheritance applied). Reported: Django trusts a header nginx does not set (the client\'s own value then reaches Django); nginx passes the client\'s value through (`$http_x_forwarded_proto`); nginx can only send values Django does not accept (`$scheme` is `http` or `https`; Django waiting for `on` never matches); and a server that terminates TLS in nginx while Django has no `SECURE_PROXY_SSL_HEADER`. One finding per server block and problem, at the line to edit, with the other side as a related location. Unknown values (a `map` variable, settings that cannot be read) keep it silent.',
      why: 'Django decides `request.is_secure()` from this one header. When a client can set it, any plain-http request can claim https, which defeats SECURE_SSL_REDIRECT and the secure-cookie checks. When nginx never sends it, Django believes every request is http: `build_absolute_uri()` writes http:// links, SECURE_SSL_REDIRECT redirects forever, and Django 4\'s CSRF Origin check rejects form posts from the https site.',
      notes: 'Behind another TLS-terminating proxy (a cloud load balancer), passing `$http_x_forwarded_proto` is right only when nothing else can reach nginx; then suppress the finding with that reason.',
    },
  },
  check({ stack, report, where, unknown }) {
    if (stack.proxies.length > 0 && djangoRoutes(stack).length === 0) unknown('no nginx location proxies to a Django app whose settings arena-lint can read');
    const findings: Array<{ route: DjangoRoute; key: string; emit: () => void }> = [];
    for (const route of djangoRoutes(stack)) {
      const d = setting(stack, route.app, 'SECURE_PROXY_SSL_HEADER');
      if (d.kind === 'unknown') {
        unknown(`SECURE_PROXY_SSL_HEADER of ${route.app.settings!.entry} is unknown`);
        continue;
      }
      const at = route.location.match;
      const server = route.server;
      const module = route.app.settingsModule.kind === 'known' ? route.app.settingsModule.value : 'the settings';
      if (d.kind === 'absent') {
        if (!terminatesTls(server)) continue;
        const header = sentHeader(route, 'X-Forwarded-Proto');
        const names = serverNames(server).map((n) => n.name);
        findings.push({
          route, key: `absent:${route.app.settings!.entry}`,
          emit: () => report({
            span: header?.directive.span ?? route.pass.node.directive.span,
            message: `${levelLabel(server)} terminates TLS and proxies location ${at} to ${route.app.service.name}, but ${module} has no SECURE_PROXY_SSL_HEADER (${route.app.settings!.entry}): Django sees every request as http, builds http:// URLs, and its CSRF Origin check rejects posts from https://${names[0] ?? 'the site'}`,
            related: [{ span: { file: route.app.settings!.entry, start: 0, end: 0 }, message: 'SECURE_PROXY_SSL_HEADER belongs in these settings' }],
            hint: `set SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") in ${module}${header ? '' : ' and `proxy_set_header X-Forwarded-Proto $scheme;` in nginx'}`,
          }),
        });
        continue;
      }
      const items = stringItems(d.value);
      if (!items || items.length !== 2) continue;
      const [metaKey, expected] = [items[0]!.value, items[1]!.value];
      const headerName = headerOfMetaKey(metaKey);
      if (!headerName) continue;
      const djangoAt = editSpan(d.value);
      const header = sentHeader(route, headerName);
      if (!header) {
        // `add_header X-Forwarded-Proto ...` sets a response header for the browser, not the request
        // header Django reads: a real mix-up (makeplane's proxy), worth naming.
        const asResponse = effective(route.proxy.nginx, levelOf(route.pass.node), 'add_header').find((h) => h.directive.args[0]?.value.toLowerCase() === headerName.toLowerCase());
        findings.push({
          route, key: `missing:${headerName}`,
          emit: () => report({
            span: route.pass.node.directive.span,
            message: `${module} trusts ${headerName}: ${expected} (SECURE_PROXY_SSL_HEADER, ${where(djangoAt)}), but nginx does not set ${headerName} for location ${at}${asResponse ? ` (the add_header at ${where(asResponse.directive.span)} sets it on the response to the browser, not on the request to Django)` : ''}: the client's own header reaches Django, so any client can claim https`,
            related: [{ span: djangoAt, message: 'SECURE_PROXY_SSL_HEADER is set here' }, ...(asResponse ? [{ span: asResponse.directive.span, message: 'a response header, not a request header' }] : [])],
            hint: `add \`proxy_set_header ${headerName} $scheme;\` where the location's other proxy_set_header lines are`,
          }),
        });
        continue;
      }
      const value = header.directive.args[1]?.value ?? '';
      const possible = possibleValues(value);
      if (!possible) continue;
      if (possible.client) {
        findings.push({
          route, key: `client:${header.directive.span.file}:${header.directive.span.start}`,
          emit: () => report({
            span: header.directive.args[1]!.span,
            message: `nginx sets ${headerName} ${value} for location ${at}, the client's own value, and ${module} trusts it (SECURE_PROXY_SSL_HEADER, ${where(djangoAt)}): any client that reaches nginx can claim https`,
            related: [{ span: djangoAt, message: 'SECURE_PROXY_SSL_HEADER is set here' }],
            hint: `send \`$scheme\` unless every client comes through a proxy that overwrites ${headerName}`,
          }),
        });
        continue;
      }
      if (!possible.values.includes(expected)) {
        findings.push({
          route, key: `value:${header.directive.span.file}:${header.directive.span.start}`,
          emit: () => report({
            span: header.directive.args[1]!.span,
            message: `nginx sets ${headerName} ${value} (${possible.values.join(' or ')}) for location ${at}, but ${module} waits for "${expected}" (SECURE_PROXY_SSL_HEADER, ${where(djangoAt)}): request.is_secure() is never true`,
            related: [{ span: djangoAt, message: 'SECURE_PROXY_SSL_HEADER is set here' }],
            hint: `make the two agree: Django's second value is what nginx must send`,
          }),
        });
      }
    }
    // One finding per server block and problem: the header is usually added once per server.
    for (const group of groupBy(findings, (f) => `${f.route.server ? `${f.route.server.directive.span.file}:${f.route.server.directive.span.start}` : f.route.location.node.directive.span.start}|${f.key}`)) group[0]!.emit();
  },
});
