import { defineRule } from '../src/engine/rule.js';
import { allNodes, ifCondition } from '../src/security/nginx-levels.js';

// Directives whose setting an `if` block replaces for the whole request once the if matches.
const REPLACED_BY_IF = new Set(['add_header', 'more_set_headers', 'proxy_set_header', 'try_files', 'alias', 'root']);
// Directives that end the request inside the if, so its own configuration is the intended one.
const ENDS_REQUEST = new Set(['return', 'rewrite']);

export default defineRule({
  meta: {
    id: 'nginx-if-is-evil',
    description: 'Reports an if in a location that sets headers or files without ending the request there (it works only by accident)',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'Reports an `if` directly inside a `location` whose block sets `add_header`, `more_set_headers`, `proxy_set_header`, `try_files`, `alias` or `root` and does not end the request with `return` or `rewrite`. One finding per location, naming every such `if`. An `if` that only returns, rewrites or sets a variable is fine. Matches gixy-ng\'s `if_is_evil` plugin, kept to the cases that break.',
      why: 'An `if` in a location is a nested location: when its condition holds, nginx serves the request with the `if` block\'s configuration, not the location\'s. Headers set in the location are dropped, only the last matching `if` counts when several match, and `try_files` is ignored (nginx wiki, "If is Evil"). It works in the test that made the condition true and fails for the requests that reach the other path.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const loc of allNodes(proxy.nginx)) {
        if (loc.directive.name !== 'location') continue;
        const evil = loc.children.filter((c) => c.directive.name === 'if' && ifCondition(c) !== undefined
          && c.children.some((d) => REPLACED_BY_IF.has(d.directive.name))
          && !c.children.some((d) => ENDS_REQUEST.has(d.directive.name)));
        if (evil.length === 0) continue;
        const first = evil[0]!;
        const sets = [...new Set(evil.flatMap((c) => c.children.filter((d) => REPLACED_BY_IF.has(d.directive.name)).map((d) => d.directive.name)))];
        report({
          span: first.directive.nameSpan,
          message: `location ${loc.directive.args.map((a) => a.raw).join(' ')} has ${evil.length === 1 ? 'an if that sets' : `${evil.length} ifs that set`} ${sets.join(', ')} without returning: a matching if serves the request with its own configuration, dropping the location's${evil.length > 1 ? ', and only the last matching if counts' : ''}`,
          related: evil.slice(1).map((c) => ({ span: c.directive.nameSpan, message: 'another if of this location' })),
          hint: 'end the if with `return`, or replace it with a `map` that sets a variable the location uses',
        });
      }
    }
  },
});
