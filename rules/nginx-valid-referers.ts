import { defineRule } from '../src/engine/rule.js';
import { allNodes } from '../src/security/nginx-levels.js';

export default defineRule({
  meta: {
    id: 'nginx-valid-referers',
    description: 'Reports valid_referers none, which lets any request without a Referer through',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'Reports the `none` value of a `valid_referers` directive. Matches gixy\'s `valid_referers` plugin.',
      why: '`valid_referers` is a hotlink or CSRF guard: `$invalid_referer` is empty for the listed referers. `none` also accepts requests that carry no Referer at all, which is what a script, `curl`, a page with `Referrer-Policy: no-referrer` or a `<meta name="referrer">` tag sends: the guard lets exactly the forged requests through.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const node of allNodes(proxy.nginx)) {
        if (node.directive.name !== 'valid_referers') continue;
        const none = node.directive.args.find((a) => a.value === 'none');
        if (!none) continue;
        report({
          span: none.span,
          message: 'valid_referers accepts "none": any request without a Referer header (a script, curl, a no-referrer page) passes the check',
          hint: 'remove `none` from valid_referers',
        });
      }
    }
  },
});
