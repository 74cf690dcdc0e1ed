import { defineRule } from '../src/engine/rule.js';
import type { NginxNode } from '../src/inputs/nginx.js';
import { allNodes, locationOf, variableOrigin, variablesIn } from '../src/security/nginx-levels.js';

// Variables whose value always starts with `/`: after a literal host they are path, not host.
const PATH_VARIABLES = new Set(['request_uri', 'uri', 'document_uri']);

function isInternal(node: NginxNode): boolean {
  const loc = locationOf(node);
  return loc !== undefined && (loc.directive.args[0]?.value.startsWith('@') === true || loc.children.some((c) => c.directive.name === 'internal'));
}

export default defineRule({
  meta: {
    id: 'nginx-ssrf',
    description: 'Reports proxy_pass whose scheme or host comes from the request (server-side request forgery)',
    defaultSeverity: 'error',
    category: 'security',
    docs: {
      what: 'Reads the target of each `proxy_pass` (and `uwsgi_pass`, `fastcgi_pass`, `grpc_pass`, `scgi_pass`): a variable in its scheme or host part that the client controls is reported. Client-controlled means a request header or argument (`$http_*`, `$arg_*`, `$cookie_*`, `$args`), a capture of the location\'s regex that can hold arbitrary text (`(.*)`, `(?<path>.*)`; `(https?)` or `(a|b)` cannot), or a `set` variable holding either. Variables after the first `/` (the path), and `$request_uri`/`$uri` right after the host, are not. Locations marked `internal` (or named `@...`) are skipped. Matches gixy\'s `ssrf` plugin.',
      why: 'nginx connects to whatever the target evaluates to. When the client picks the host, nginx becomes an open proxy into the compose network: `/proxy/db:5432/` reaches Postgres, `/proxy/169.254.169.254/latest/meta-data/` the cloud metadata service with the host\'s credentials.',
      notes: 'A variable from `map`, or one set elsewhere, is unknown and not reported.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const pass of proxy.nginx.proxyPasses) {
        const value = pass.target.value;
        if (!value.includes('$') || isInternal(pass.node)) continue;
        // The scheme and host part ends at the first `/` after `scheme://`, or at a path variable.
        const schemeEnd = value.indexOf('://');
        const hostStart = schemeEnd >= 0 ? schemeEnd + 3 : 0;
        let hostEnd = value.indexOf('/', hostStart);
        if (hostEnd < 0) hostEnd = value.length;
        const vars = variablesIn(value);
        for (const v of vars) {
          if (v.start >= hostStart && PATH_VARIABLES.has(v.name) && v.start < hostEnd) hostEnd = v.start;
        }
        for (const v of vars) {
          if (v.start >= hostEnd) continue;
          const origin = variableOrigin(pass.node, v.name);
          if (origin.kind !== 'client') continue;
          const part = v.start < hostStart ? 'scheme' : 'host';
          report({
            span: pass.target.span,
            message: `${pass.kind} ${value} takes its ${part} from the request (${origin.why}): a client can make nginx connect to any host, including other containers and the cloud metadata service`,
            ...(origin.span ? { related: [{ span: origin.span, message: 'the variable is set here' }] } : {}),
            hint: 'proxy to a fixed upstream and pass the request value as a path or header instead, or mark the location `internal`',
          });
          break;
        }
      }
    }
  },
});
