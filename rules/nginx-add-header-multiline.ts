import { defineRule } from '../src/engine/rule.js';
import { allNodes } from '../src/security/nginx-levels.js';

export default defineRule({
  meta: {
    id: 'nginx-add-header-multiline',
    description: 'Reports a response header value written over several lines',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'Reports an `add_header` value, or a `more_set_headers` header (headers-more module), whose quoted value contains a line break. Matches gixy\'s `add_header_multiline` plugin.',
      why: 'nginx sends the value as written, line breaks included, so the header is folded over several lines. Header folding is deprecated (RFC 7230 section 3.2.4): browsers and proxies reject it or read only the first line, which silently truncates a Content-Security-Policy to its first directive.',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const node of allNodes(proxy.nginx)) {
        const d = node.directive;
        let values = d.name === 'add_header' ? d.args.slice(1, 2) : [];
        if (d.name === 'more_set_headers') {
          values = [];
          for (let i = 0; i < d.args.length; i++) {
            const a = d.args[i]!;
            if (/^-[st]$/.test(a.value)) i++;
            else if (!a.value.startsWith('-')) values.push(a);
          }
        }
        const bad = values.filter((a) => /[\r\n]/.test(a.value));
        if (bad.length === 0) continue;
        const header = d.name === 'add_header' ? d.args[0]?.value ?? '' : bad.map((a) => a.value.split(':')[0]!.trim()).join(', ');
        report({
          span: bad[0]!.span,
          message: `${d.name} ${header} has a value over several lines: nginx sends the line breaks, and clients reject the folded header or keep only its first line`,
          hint: 'write the header value on one line',
        });
      }
    }
  },
});
