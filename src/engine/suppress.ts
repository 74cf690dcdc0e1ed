import type { Finding } from '../core/finding.js';
import type { Comment } from '../core/problem.js';
import { positionAt, type SourceFile } from '../core/source.js';
import { namesRule, redirectOf } from '../core/rule-redirects.js';

interface Suppression {
  readonly comment: Comment;
  readonly rules: readonly string[];
  readonly scope: 'next-line' | 'rest-of-block';
  /** For rest-of-block: the offset where the block the comment sits in ends. */
  readonly end: number;
  used: boolean;
}

const DIRECTIVE = /^\s*arena-lint-(disable-next-line|disable)(?:\s+(.*?))?(?:\s+--(?:\s.*)?)?\s*$/;

/**
 * Inline suppressions, the same in every format (`#` or `;` comments):
 * `arena-lint-disable-next-line rule-a, rule-b -- reason` and `arena-lint-disable rule-a` (to the end of
 * the block it is indented in, or of the file). A suppression that silences nothing is itself reported
 * as `unused-suppression`. A redirected id (`timeout-chain`) silences every rule it stands for.
 */
export function applySuppressions(
  findings: readonly Finding[], comments: readonly Comment[], stack: string, knownRules: readonly string[],
  sourceOf: (file: string) => SourceFile | undefined,
): Finding[] {
  const lineOf = (file: string, offset: number) => {
    const f = sourceOf(file);
    return f ? positionAt(f, offset).line : 0;
  };
  const suppressions: Suppression[] = [];
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.text);
    if (!m) continue;
    const rules = (m[2] ?? 'all').split(/[\s,]+/).filter(Boolean);
    const source = sourceOf(c.span.file);
    const end = source ? blockEnd(source, c.span.start) : Number.POSITIVE_INFINITY;
    suppressions.push({ comment: c, rules, scope: m[1] === 'disable' ? 'rest-of-block' : 'next-line', end, used: false });
  }
  if (suppressions.length === 0) return [...findings];
  const kept: Finding[] = [];
  for (const f of findings) {
    const hit = suppressions.find((s) => {
      if (s.comment.span.file !== f.span.file || !s.rules.some((r) => r === 'all' || namesRule(r, f.ruleId))) return false;
      if (s.scope === 'rest-of-block') return f.span.start >= s.comment.span.start && f.span.start < s.end;
      return lineOf(f.span.file, f.span.start) === lineOf(s.comment.span.file, s.comment.span.end) + 1;
    });
    if (hit) hit.used = true;
    else kept.push(f);
  }
  for (const s of suppressions) {
    if (s.used) continue;
    const unknownIds = s.rules.filter((r) => r !== 'all' && !knownRules.includes(r) && !redirectOf(r));
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

/**
 * Where the block a comment is indented in ends: the first later line with code that is indented
 * less than the line of the comment (nginx's closing `}`, the next YAML key of the parent mapping, a
 * Python dedent). A comment at the start of a line covers the rest of the file. Indentation is a
 * cheap stand-in for each format's own block structure, and right for any file a person indents.
 */
export function blockEnd(file: SourceFile, commentStart: number): number {
  const { line } = positionAt(file, commentStart);
  const indentOf = (n: number) => {
    const start = file.lineStarts[n - 1]!;
    const next = file.lineStarts[n];
    const text = file.text.slice(start, next === undefined ? file.text.length : next - 1);
    return { start, text, indent: text.length - text.trimStart().length };
  };
  const own = indentOf(line).indent;
  if (own === 0) return file.text.length;
  for (let n = line + 1; n <= file.lineStarts.length; n++) {
    const l = indentOf(n);
    const code = l.text.trim();
    if (code === '' || code.startsWith('#') || code.startsWith(';')) continue;
    if (l.indent < own) return l.start;
  }
  return file.text.length;
}
