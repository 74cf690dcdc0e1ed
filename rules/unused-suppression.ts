import { defineRule } from '../src/engine/rule.js';

// The engine reports this rule while applying suppressions (src/engine/suppress.ts); the rule exists
// so that it has metadata, documentation and a severity users can configure.
export default defineRule({
  meta: {
    id: 'unused-suppression',
    description: 'Reports an arena-lint-disable comment that suppresses nothing or names an unknown rule',
    defaultSeverity: 'warning',
    category: 'meta',
    docs: {
      what: 'Inline suppressions are comments in any checked format (`#` in YAML, nginx, Python, shell and env files; `;` or `#` in ini files): `arena-lint-disable-next-line rule-a, rule-b -- reason` silences those rules on the next line, and `arena-lint-disable rule-a` from there to the end of the enclosing block (the nginx block or YAML mapping the comment is indented in), or of the file for a comment at the start of a line. A suppression that silences no finding, or that names a rule arena-lint does not have, is reported.',
      why: 'A stale suppression hides the next real problem on that line, and a misspelt rule id suppresses nothing while looking like it does.',
    },
  },
  check() {},
});
