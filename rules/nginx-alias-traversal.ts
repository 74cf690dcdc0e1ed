import { defineRule } from '../src/engine/rule.js';
import { allNodes } from '../src/security/nginx-levels.js';

export default defineRule({
  meta: {
    id: 'nginx-alias-traversal',
    description: 'Reports a prefix location without a trailing slash whose alias ends with one (path traversal), or that serves the alias\' siblings',
    defaultSeverity: 'error',
    category: 'security',
    docs: {
      what: 'Reports `alias` in a prefix location (no modifier, or `^~`) whose path does not end with `/` while the alias does: `location /static { alias /app/static/; }`. Regex and exact (`=`) locations are not judged. Matches gixy\'s `alias_traversal` plugin.',
      why: 'nginx replaces the matched prefix with the alias. `/static../settings.py` matches `location /static` and becomes `/app/static/../settings.py`: one level above the served folder, where a Django project keeps its code, settings and `.env`. Adding the slash to the location (`location /static/`) closes it.',
      notes: 'A slash-less alias under a slash-less location (`location /files { alias /home; }`) is reported as a warning, as gixy does with a lower severity: there is no way up, but `/files-old/x` maps to the sibling `/home-old/x`. `location /files/ { alias /home; }` is left alone: every request maps below `/home` (at worst to names starting with it, which the location itself asked for).',
    },
  },
  check({ stack, report }) {
    for (const proxy of stack.proxies) {
      for (const node of allNodes(proxy.nginx)) {
        if (node.directive.name !== 'alias' || !node.directive.args[0]) continue;
        const loc = node.parent;
        if (loc?.directive.name !== 'location') continue;
        const args = loc.directive.args.map((a) => a.value);
        const prefix = args.length === 1 ? args[0]! : args[0] === '^~' ? args[1] : undefined;
        if (prefix === undefined || prefix.endsWith('/') || prefix.startsWith('@') || prefix.startsWith('~') || prefix.startsWith('=')) continue;
        const alias = node.directive.args[0].value;
        if (alias.includes('$')) continue;
        if (!alias.endsWith('/')) {
          // Neither ends with a slash: no way up, but every sibling whose name starts the same is served.
          report({
            span: loc.directive.args.at(-1)!.span,
            severity: 'warning',
            message: `location ${prefix} and its alias ${alias} both lack a trailing slash: ${prefix}-old/x maps to ${alias}-old/x, so every folder beside ${alias} whose name starts with it is served too`,
            related: [{ span: node.directive.span, message: 'the alias is set here' }],
            hint: `end both with a slash: location ${prefix}/ { alias ${alias}/; }`,
          });
          continue;
        }
        report({
          span: loc.directive.args.at(-1)!.span,
          message: `location ${prefix} has no trailing slash but its alias ${alias} has one: ${prefix}../ maps to ${alias}../, one folder above what is served`,
          related: [{ span: node.directive.span, message: 'the alias is set here' }],
          hint: `write the location as ${prefix}/`,
        });
      }
    }
  },
});
