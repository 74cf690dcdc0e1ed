import { defineRule } from '../src/engine/rule.js';
import { closest } from '../src/core/suggest.js';

export default defineRule({
  meta: {
    id: 'limit-zone-undefined',
    description: 'Reports limit_req or limit_conn using a zone that no limit_req_zone or limit_conn_zone defines',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: '`limit_req zone=NAME` needs a `limit_req_zone ... zone=NAME:size` and `limit_conn NAME n` a `limit_conn_zone ... zone=NAME:size`, in the http context of the configuration nginx loads (all its files, includes followed). arena-lint stays silent when an include could not be resolved to a file in the repository, since the zone may be defined there.',
      why: 'nginx refuses to start with `zero size shared memory zone "auth_limit"`. Renaming a zone where it is defined and not where it is used (or the reverse) is an easy slip when rate limits are tuned, as the seed plan does.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      const m = proxy.nginx;
      if (m.unresolvedIncludes.length > 0) continue;
      for (const use of m.zoneUses) {
        const defs = m.zones.filter((z) => z.kind === use.kind);
        if (defs.some((z) => z.name === use.name) || use.name.includes('$')) continue;
        const guess = closest(use.name, defs.map((z) => z.name));
        report({
          span: use.span,
          message: `${use.kind} uses zone "${use.name}", which no ${use.kind}_zone defines${guess ? `; did you mean "${guess}"?` : ''}`,
          related: defs.slice(0, 3).map((z) => ({ span: z.node.directive.span, message: `zone "${z.name}" is defined here` })),
        });
      }
    }
  },
});
