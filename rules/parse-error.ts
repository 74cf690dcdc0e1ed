import { defineRule } from '../src/engine/rule.js';

export default defineRule({
  meta: {
    id: 'parse-error',
    description: 'Reports a file that cannot be read as its format',
    defaultSeverity: 'error',
    category: 'meta',
    docs: {
      what: 'Every file of a stack (compose YAML, .env and env files, nginx configuration, pgbouncer.ini, settings.py, sysctl files) is parsed with positions. A syntax error is reported once, at the place the parser stopped, in the words the program itself would use (nginx\'s "unexpected \\"}\\""). So is well-formed YAML that compose refuses to load, at the node compose names: an undefined alias ("found undefined alias \'lables\'"), a `<<` merge of anything but a mapping or a list of mappings ("expected a mapping for merging, but found scalar"), a list or mapping used as a key ("found unhashable key"), and a duplicate key, which docker compose v2 refuses ("mapping key \"image\" already defined at line 3").',
      why: 'The program would refuse the file, or read something else than what is written. The rest of the stack is still checked, but values from the broken part of the file are unknown, so other rules may stay silent about it.',
    },
  },
  check({ stack, report }) {
    for (const p of stack.problems) report({ span: p.span, message: p.message });
  },
});
