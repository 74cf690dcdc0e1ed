import { defineRule } from '../src/engine/rule.js';
import { allNodes, effective, isLevel, levelLabel, levelOf, nearest } from '../src/security/nginx-levels.js';

/** Response headers that protect the browser; a block that drops them serves its pages unprotected. */
export const SECURITY_HEADERS: ReadonlySet<string> = new Set([
  'strict-transport-security', 'content-security-policy', 'content-security-policy-report-only', 'x-frame-options',
  'x-content-type-options', 'x-xss-protection', 'referrer-policy', 'permissions-policy', 'feature-policy',
  'cross-origin-opener-policy', 'cross-origin-embedder-policy', 'cross-origin-resource-policy', 'x-permitted-cross-domain-policies',
]);

export default defineRule({
  meta: {
    id: 'nginx-add-header-redefinition',
    description: 'Reports a block whose own add_header silently drops the security headers set by an enclosing block',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'For every server, location or `if` block that sets `add_header` itself, compares its headers with the ones the enclosing level has in effect (through includes: a `security-headers.conf` included in the server counts). A security header of the parent (Strict-Transport-Security, Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, Referrer-Policy, Permissions-Policy, the Cross-Origin-* policies, X-XSS-Protection) that the block does not set again is reported. nginx 1.29.3+ `add_header_inherit merge` at the block or above it keeps the parent headers, and then nothing is reported. Matches gixy\'s `add_header_redefinition` plugin.',
      why: 'nginx inherits `add_header` from the enclosing level only when a level sets none itself. One `add_header Cache-Control ...` in `location /static/` therefore removes every header the server sets, and responses from that location go out without HSTS or a CSP: nothing warns, the headers just disappear.',
      notes: 'gixy-ng also reports dropped headers that are not security headers (as LOW); arena-lint reports only security headers, as the original yandex/gixy does. Repeat the headers in the block, move them into a snippet included by every block that sets its own, or use `add_header_inherit merge` (nginx 1.29.3+).',
    },
  },
  check({ stack, report, where }) {
    for (const proxy of stack.proxies) {
      const model = proxy.nginx;
      for (const level of allNodes(model).filter(isLevel)) {
        const own = level.children.filter((c) => c.directive.name === 'add_header');
        if (own.length === 0) continue;
        const mode = nearest(model, level, 'add_header_inherit')?.directive.args[0]?.value.toLowerCase();
        if (mode === 'merge') continue;
        const parent = levelOf(level);
        const inheritedHeaders = effective(model, parent, 'add_header');
        const set = new Set(own.map((h) => h.directive.args[0]?.value.toLowerCase()));
        const dropped = inheritedHeaders.filter((h) => {
          const name = h.directive.args[0]?.value.toLowerCase() ?? '';
          return SECURITY_HEADERS.has(name) && !set.has(name);
        });
        if (dropped.length === 0) continue;
        const names = [...new Set(dropped.map((h) => h.directive.args[0]!.value))];
        const first = own[0]!;
        report({
          span: first.directive.span,
          message: `${levelLabel(level)} sets its own add_header (${own.map((h) => h.directive.args[0]?.value).join(', ')}), so nginx drops ${names.join(', ')} set for ${levelLabel(parent)} (${where(dropped[0]!.directive.span)}): responses from this block go out without ${names.length === 1 ? 'it' : 'them'}`,
          related: dropped.map((h) => ({ span: h.directive.span, message: `${h.directive.args[0]!.value} is set here and not inherited` })),
          hint: `repeat ${names.join(', ')} in this block (or include the snippet that sets them here)`,
        });
      }
    }
  },
});
