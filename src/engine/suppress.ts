import type { Finding } from '../core/finding.js';
import type { Comment } from '../core/problem.js';

interface Suppression {
  readonly comment: Comment;
  readonly rules: readonly string[];
  readonly scope: 'next-line' | 'rest-of-file';
  used: boolean;
}

const DIRECTIVE = /^\s*arena-lint-(disable-next-line|disable)(?:\s+(.*?))?(?:\s+--(?:\s.*)?)?\s*$/;

/**
 * Inline suppressions, the same in every format (`#` or `;` comments):
 * `arena-lint-disable-next-line rule-a, rule-b -- reason` and `arena-lint-disable rule-a` (to the end of
 * the file). A suppression that silences nothing is itself reported as `unused-suppression`.
 */
export function applySuppressions(
  findings: readonly Finding[], comments: readonly Comment[], stack: string, knownRules: readonly string[],
  lineOf: (file: string, offset: number) => number,
): Finding[] {
  const suppressions: Suppression[] = [];
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text);
    if (!m) continue;
    const rules = (m[2] ?? 'all').split(/[\s,]+/).filter(Boolean);
    suppressions.push({ comment: c, rules, scope: m[1] === 'disable' ? 'rest-of-file' : 'next-line', used: false });
  }
  if (suppressions.length === 0) return [...findings];
  const kept: Finding[] = [];
  for (const f of findings) {
    const hit = suppressions.find((s) => {
      if (s.comment.span.file !== f.span.file || !(s.rules.includes(f.ruleId) || s.rules.includes('all'))) return false;
      if (s.scope === 'rest-of-file') return f.span.start >= s.comment.span.start;
      return lineOf(f.span.file, f.span.start) === lineOf(s.comment.span.file, s.comment.span.end) + 1;
    });
    if (hit) hit.used = true;
    else kept.push(f);
  }
  for (const s of suppressions) {
    if (s.used) continue;
    const unknownIds = s.rules.filter((r) => r !== 'all' && !knownRules.includes(r));
    kept.push({
      ruleId: 'unused-suppression',
      severity: 'warning',
      message: unknownIds.length
        ? `arena-lint-${s.scope === 'next-line' ? 'disable-next-line' : 'disable'} names unknown rule${unknownIds.length > 1 ? 's' : ''} ${unknownIds.join(', ')}`
        : `arena-lint-${s.scope === 'next-line' ? 'disable-next-line' : 'disable'} ${s.rules.join(', ')} suppresses nothing`,
      span: s.comment.span,
      related: [],
      stack,
    });
  }
  return kept;
}
