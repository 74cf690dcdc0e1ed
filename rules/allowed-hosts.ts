import { defineRule } from '../src/engine/rule.js';
import { editSpan } from '../src/inputs/django.js';
import { pyTruthy } from '../src/python/value.js';
import { djangoRoutes, hostAllowed, originTrusted, sentHeader, serverNames, setting, stringItems, terminatesTls, validHostSyntax } from '../src/security/edge.js';
import { levelLabel } from '../src/security/nginx-levels.js';

export default defineRule({
  meta: {
    id: 'allowed-hosts',
    description: 'Reports Django\'s ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS or USE_X_FORWARDED_HOST disagreeing with the Host and scheme nginx sends',
    defaultSeverity: 'error',
    category: 'security',
    docs: {
      what: 'For every nginx location whose proxy_pass reaches a Django app, works out the Host header Django receives: with `proxy_set_header Host $host` (or `$http_host`) the names of the server block (`server_name`, exact names only), with a literal value that value, and with no Host header at all the proxy_pass host itself (`django_backend` for `proxy_pass http://django_backend`), which is what nginx sends by default. Reported: a server name that ALLOWED_HOSTS does not match (Django\'s own matching: `*`, `.example.com`, exact); a default upstream Host that ALLOWED_HOSTS does not list, or that Django rejects outright because it is not a valid host name (an underscore); `USE_X_FORWARDED_HOST = True` while nginx does not set X-Forwarded-Host; and a server block that terminates TLS (`listen 443 ssl`) and forwards Host `$host` to settings without `SECURE_PROXY_SSL_HEADER`, whose CSRF_TRUSTED_ORIGINS does not list `https://NAME` for a server name (Django\'s matching: exact, or `https://*.example.com`; an entry without a scheme matches nothing). The finding points at the setting to change (or the env line feeding it) with the nginx line as a related location, or at the proxy_pass when the fix is in nginx.',
      why: 'Django answers 400 Bad Request (DisallowedHost) to a Host that ALLOWED_HOSTS does not match, so a missing name takes that site down, and an upstream name with an underscore is refused even with `ALLOWED_HOSTS = ["*"]`. Since Django 4.0 a form POST is accepted only when the browser\'s Origin equals the request\'s own `scheme://host` or is in CSRF_TRUSTED_ORIGINS: when Django believes the request is plain http (nothing tells it nginx received https), `https://example.com` never equals `http://example.com` and every login and form fails with 403. With USE_X_FORWARDED_HOST, Django takes the request\'s host from X-Forwarded-Host; when nginx does not set it, the client\'s own header decides which host Django builds password-reset links and redirects for.',
      notes: 'ALLOWED_HOSTS read from an unset environment variable, a wildcard or regex server_name, and a Host from a `map` are unknown and stay silent.',
    },
  },
  check({ stack, report, where, unknown }) {
    if (stack.proxies.length > 0 && djangoRoutes(stack).length === 0) unknown('no nginx location proxies to a Django app whose settings arena-lint can read');
    const done = new Set<string>();
    const once = (key: string) => {
      if (done.has(key)) return false;
      done.add(key);
      return true;
    };
    for (const route of djangoRoutes(stack)) {
      const module = route.app.settingsModule.kind === 'known' ? route.app.settingsModule.value : 'the settings';
      const entry = route.app.settings!.entry;
      const allowed = setting(stack, route.app, 'ALLOWED_HOSTS');
      const debug = setting(stack, route.app, 'DEBUG');
      const hostHeader = sentHeader(route, 'Host');
      const serverKey = route.server ? `${route.server.directive.span.file}:${route.server.directive.span.start}` : route.location.match;

      let patterns: string[] | undefined;
      let allowedAt = { file: entry, start: 0, end: 0 };
      if (allowed.kind === 'set') {
        const items = stringItems(allowed.value);
        if (items) patterns = items.map((i) => i.value);
        allowedAt = editSpan(allowed.value);
      } else if (allowed.kind === 'absent' && debug.kind !== 'unknown' && (debug.kind === 'absent' || pyTruthy(debug.value) === false)) {
        // Django's default: [] (with DEBUG off, nothing is allowed).
        patterns = [];
      }

      if (patterns === undefined) unknown(`ALLOWED_HOSTS of ${entry} is unknown`);
      if (patterns !== undefined) {
        const shown = allowed.kind === 'set' ? `ALLOWED_HOSTS ${JSON.stringify(patterns)}` : 'ALLOWED_HOSTS (not set, so empty with DEBUG off)';
        const value = hostHeader?.directive.args[1]?.value;
        if (!hostHeader) {
          const host = route.pass.host;
          const hostPort = host && route.pass.port && route.pass.port !== 80 ? `${host}:${route.pass.port}` : host;
          if (host && !host.includes('$') && once(`default:${serverKey}:${entry}:${host}`)) {
            if (!validHostSyntax(hostPort ?? host)) {
              report({
                span: route.pass.node.directive.span,
                message: `location ${route.location.match} sends no Host header, so nginx sends "${hostPort}" (the proxy_pass host) and Django rejects it as an invalid host name (underscores are not allowed, RFC 1034/1035) for ${module}: every request through it gets 400 Bad Request`,
                related: [{ span: allowedAt, message: `${module}: ${shown}` }],
                hint: 'add `proxy_set_header Host $host;` to the location (or its server block)',
              });
            } else if (!hostAllowed(host, patterns)) {
              report({
                span: route.pass.node.directive.span,
                message: `location ${route.location.match} sends no Host header, so Django gets "${hostPort}" (the proxy_pass host), which ${shown} in ${module} (${where(allowedAt)}) does not match: every request through it gets 400 Bad Request (DisallowedHost)`,
                related: [{ span: allowedAt, message: `${shown}` }],
                hint: 'add `proxy_set_header Host $host;` to the location (or its server block)',
              });
            }
          }
        } else if (value === '$host' || value === '$http_host') {
          for (const n of serverNames(route.server)) {
            if (hostAllowed(n.name, patterns) || !once(`name:${n.name}:${entry}`)) continue;
            report({
              span: allowedAt,
              message: `${shown} in ${module} does not match ${n.name}, a server_name of ${levelLabel(route.server)} (${where(n.span)}) that nginx proxies to ${route.app.service.name} with Host ${value}: requests for ${n.name} get 400 Bad Request (DisallowedHost)`,
              related: [{ span: n.span, message: `server_name ${n.name} is set here` }],
              hint: `add "${n.name}" to ALLOWED_HOSTS`,
            });
          }
        } else if (value !== undefined && !value.includes('$') && !hostAllowed(value, patterns) && once(`literal:${value}:${entry}`)) {
          report({
            span: allowedAt,
            message: `${shown} in ${module} does not match "${value}", the Host nginx sends for location ${route.location.match} (${where(hostHeader.directive.span)}): every request through it gets 400 Bad Request (DisallowedHost)`,
            related: [{ span: hostHeader.directive.span, message: 'the Host header is set here' }],
            hint: `add "${value}" to ALLOWED_HOSTS, or send \`proxy_set_header Host $host;\``,
          });
        }
      }

      // CSRF: behind nginx terminating TLS, the browser's Origin is https://NAME. Without
      // SECURE_PROXY_SSL_HEADER Django believes the request is plain http, so its own origin is
      // http://NAME and only CSRF_TRUSTED_ORIGINS can let the form POST through.
      const proxySsl = setting(stack, route.app, 'SECURE_PROXY_SSL_HEADER');
      const trustedSetting = setting(stack, route.app, 'CSRF_TRUSTED_ORIGINS');
      const trusted = trustedSetting.kind === 'set' ? stringItems(trustedSetting.value)?.map((i) => i.value) : trustedSetting.kind === 'absent' ? [] : undefined;
      const forwardsHost = hostHeader?.directive.args[1]?.value === '$host' || hostHeader?.directive.args[1]?.value === '$http_host';
      if (trusted === undefined) unknown(`CSRF_TRUSTED_ORIGINS of ${entry} is unknown`);
      else if (proxySsl.kind === 'absent' && terminatesTls(route.server) && forwardsHost) {
        const trustedAt = trustedSetting.kind === 'set' ? editSpan(trustedSetting.value) : { file: entry, start: 0, end: 0 };
        for (const n of serverNames(route.server)) {
          const origin = `https://${n.name}`;
          if (originTrusted(origin, `http://${n.name}`, trusted) || !once(`csrf:${n.name}:${entry}`)) continue;
          const bare = trusted.find((t) => t.toLowerCase() === n.name);
          report({
            span: trustedAt,
            message: `${levelLabel(route.server)} terminates TLS for ${n.name} (${where(n.span)}) and proxies to ${route.app.service.name} with Host ${hostHeader!.directive.args[1]!.value}, but ${module} sets no SECURE_PROXY_SSL_HEADER, so Django takes every request for http and its own origin for http://${n.name}; ${trustedSetting.kind === 'set' ? `CSRF_TRUSTED_ORIGINS ${JSON.stringify(trusted)}` : 'CSRF_TRUSTED_ORIGINS (not set)'} does not list ${origin}${bare ? ` ("${bare}" has no scheme, which Django 4.0+ ignores: check 4_0.E001)` : ''}: Django 4.0+ rejects every form POST from the site with 403 (CSRF verification failed, Origin checking failed)`,
            related: [{ span: n.span, message: `server_name ${n.name} is served over TLS here` }],
            hint: `add "${origin}" to CSRF_TRUSTED_ORIGINS, or set SECURE_PROXY_SSL_HEADER with nginx sending X-Forwarded-Proto $scheme`,
          });
        }
      }

      const xfh = setting(stack, route.app, 'USE_X_FORWARDED_HOST');
      if (xfh.kind === 'set' && pyTruthy(xfh.value) === true && !sentHeader(route, 'X-Forwarded-Host') && once(`xfh:${serverKey}:${entry}`)) {
        const at = editSpan(xfh.value);
        report({
          span: route.pass.node.directive.span,
          message: `${module} sets USE_X_FORWARDED_HOST = True (${where(at)}), but nginx does not set X-Forwarded-Host for location ${route.location.match}: the client's own X-Forwarded-Host reaches Django, which takes it as the request's host for absolute URLs and redirects`,
          related: [{ span: at, message: 'USE_X_FORWARDED_HOST is set here' }],
          hint: 'add `proxy_set_header X-Forwarded-Host $host;` to the server block, or drop USE_X_FORWARDED_HOST',
        });
      }
    }
  },
});
