import type { RuleMeta } from '../core/rule-meta.js';
import { docsUrl } from '../core/rule-meta.js';

/** The terminal form of a rule's documentation (`arena-lint explain`). */
export function ruleDocText(meta: RuleMeta): string {
  const parts = [
    `${meta.id} (${meta.defaultSeverity} by default, ${meta.category})`,
    '',
    meta.description,
    '',
    'What it checks',
    indent(meta.docs.what),
    '',
    'Why it matters',
    indent(meta.docs.why),
  ];
  if (meta.docs.notes) parts.push('', 'Notes', indent(meta.docs.notes));
  parts.push('', `Examples that fire and that stay silent: ${docsUrl(meta.id)}`, '');
  return parts.join('\n');
}

function indent(s: string): string {
  return s.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
}
