import { defineRule } from '../src/engine/rule.js';
import type { NginxArg } from '../src/parsers/nginx.js';
import type { NginxNode } from '../src/inputs/nginx.js';
import { allNodes, variableOrigin, variablesIn } from '../src/security/nginx-levels.js';

// nginx decodes %0D%0A in these: the decoded, normalised URI. $request_uri stays encoded.
const DECODED_URI = new Set(['uri', 'document_uri']);

/** The argument of a directive that nginx writes into a request or response header line. */
function headerValue(node: NginxNode): NginxArg | undefined {
  const d = node.directive;
  switch (d.name) {
    case 'add_header':
    case 'proxy_set_header':
      return d.args[1];
    case 'return':
      return d.args.length >= 2 ? d.args[1] : d.args[0] && !/^\d+$/.test(d.args[0].value) ? d.args[0] : undefined;
    case 'rewrite':
      return d.args[1];
    case 'proxy_pass':
      return d.args[0];
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'nginx-http-splitting',
    description: 'Reports a header, redirect or upstream request line built from a decoded URI that can carry a line break (CRLF injection)',
    defaultSeverity: 'error',
    category: 'security',
    docs: {
      what: 'Reports `add_header`, `proxy_set_header`, `return`, `rewrite` and `proxy_pass` values that contain `$uri` or `$document_uri`, or a capture of the location\'s regex that can match a line feed (`\\W`, `\\s`, a negated class), directly or through `set`. `$request_uri`, captures that `.` or a fixed word list bound, and `rewrite`\'s own captures (nginx escapes them) are not reported. Matches gixy\'s `http_splitting` plugin.',
      why: '`$uri` is the decoded path: a request for `/%0D%0ASet-Cookie:%20a=b` puts a real line break into the header or upstream request nginx writes. The client then adds headers of its choice to the response (session fixation, cache poisoning) or a second request to the upstream.',
      notes: 'Use `$request_uri` (still encoded) or a capture that cannot contain a line break.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const node of allNodes(proxy.nginx)) {
        const arg = headerValue(node);
        if (!arg || !arg.value.includes('$')) continue;
        for (const v of variablesIn(arg.value)) {
          let why: string | undefined;
          let related;
          if (DECODED_URI.has(v.name)) why = `$${v.name} is the decoded URI`;
          else if (node.directive.name !== 'rewrite') {
            const o = variableOrigin(node, v.name);
            if (o.kind === 'client' && o.newline) {
              why = `${o.why}, which can hold a line break`;
              if (o.span) related = [{ span: o.span, message: 'the variable is set here' }];
            }
          }
          if (!why) continue;
          report({
            span: arg.span,
            message: `${node.directive.name} ${node.directive.args.map((a) => a.raw).join(' ')}: ${why}, and nginx writes it into a header line; %0D%0A in the request becomes a real line break, so the client adds headers or requests of its own`,
            ...(related ? { related } : {}),
            hint: v.name === 'uri' || v.name === 'document_uri' ? 'use $request_uri, which nginx keeps encoded' : 'make the capture exclude line breaks (e.g. `[^\\r\\n]*`, or `.*`)',
          });
          break;
        }
      }
    }
  },
});
