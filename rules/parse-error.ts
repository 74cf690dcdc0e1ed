import { defineRule } from '../src/engine/rule.js';

export default defineRule({
  meta: {
    id: 'parse-error',
    description: 'Reports a file that cannot be read as its format',
    defaultSeverity: 'error',
    category: 'meta',
    docs: {
      what: 'Every file of a stack (compose YAML, .env and env files, nginx configuration, pgbouncer.ini, settings.py, sysctl files) is parsed with positions. A syntax error is reported once, at the place the parser stopped, in the words the program itself would use (nginx\'s "unexpected \\"}\\"", YAML\'s "Map keys must be unique").',
      why: 'The program would refuse the file, or read something else than what is written. The rest of the stack is still checked, but values from the broken part of the file are unknown, so other rules may stay silent about it.',
    },
  },
  check({ stack, report }) {
    for (const p of stack.problems) report({ span: p.span, message: p.message });
  },
});
