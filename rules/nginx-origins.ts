import { defineRule } from '../src/engine/rule.js';
import { allNodes, ifCondition } from '../src/security/nginx-levels.js';
import { exampleAttack } from '../src/security/regex-sample.js';

const CHECKED = new Set(['$http_origin', '$http_referer']);

export default defineRule({
  meta: {
    id: 'nginx-origins',
    description: 'Reports an Origin or Referer check whose regex also accepts an attacker\'s site',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'Reads `if ($http_origin ~ ...)` and `if ($http_referer !~ ...)` allow-list checks and tries the regex the way gixy\'s `origins` plugin does: each alternative, with every part that accepts a `/` taking one, and an attacker\'s prefix (`http://evil.com/`) where the alternative is not anchored with `^`, or suffix (`.evil.com`) where it does not end with `/` or `$`. A check that still accepts a value whose host is not the site\'s own is reported, with that value. A positive match whose block returns a 4xx (a deny list) is not an allow list and is not judged; neither is a regex with no host in it. Matches gixy\'s `origins` plugin with its default options.',
      why: 'These checks decide which sites may embed the pages or read responses with credentials (CORS). `^https://example.com` also accepts `https://example.com.evil.com`, an unescaped dot accepts `https://exampleXcom`, and an alternative without `^` (`^https://a\\.com/|b\\.com/`) matches anywhere in the value: the attacker registers a matching name and the check waves it through.',
      notes: 'gixy\'s `domains` and `https_only` options have no equivalent: arena-lint does not guess which hosts are the site\'s own, so an `https?` allow list is not reported.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const node of allNodes(proxy.nginx)) {
        const cond = ifCondition(node);
        if (!cond?.operand || !CHECKED.has(cond.variable.toLowerCase()) || !/^!?~\*?$/.test(cond.operator)) continue;
        const negated = cond.operator.startsWith('!');
        const denies = node.children.some((c) => (c.directive.name === 'return' && /^4\d\d$/.test(c.directive.args[0]?.value ?? '')) || c.directive.name === 'deny');
        if (!negated && denies) continue;
        const pattern = cond.operand.value;
        if (!/:\/\/|\w\\?\.\w/.test(pattern)) continue;
        const bad = exampleAttack(pattern, cond.operator.endsWith('*'));
        if (bad === undefined) continue;
        report({
          span: cond.operand.span,
          message: `the ${cond.variable.slice(1)} check ${cond.operand.raw} also accepts ${JSON.stringify(bad)}: an attacker's site passes it`,
          hint: 'anchor every alternative with ^, escape the dots, and end the host with / or $ (e.g. ^https://example\\.com(/|$))',
        });
      }
    }
  },
});
