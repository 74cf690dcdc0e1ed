import type { Finding, RunResult, Severity } from '../core/finding.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { createSourceFile, lineText, positionAt, type SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';

export interface ReportOptions {
  /** The CLI decides this from the TTY and NO_COLOR; reporters never look at the terminal. */
  readonly color: boolean;
  /** Every rule the run knew about; SARIF describes them all, not only those that fired. */
  readonly rules: readonly RuleMeta[];
  /**
   * The checked root as seen from the working directory (the repository root in CI), e.g. `deploy`.
   * Annotation and SARIF paths must be repository-relative, while spans are root-relative.
   */
  readonly cwdRelativeRoot?: string;
  readonly version: string;
  /**
   * Base URL that a repository-relative path is appended to for links in the markdown summary,
   * e.g. `https://github.com/o/r/blob/<sha>/`. Without it the summary shows plain locations.
   */
  readonly blobUrl?: string;
}

/** A 1-based range; `endColumn` is exclusive (the column after the last character), as in ESLint and SARIF. */
export interface LocatedRange {
  /** Root-relative path, `/` separated. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface LocatedRelated extends LocatedRange {
  readonly message: string;
}

export interface LocatedFinding extends LocatedRange {
  readonly finding: Finding;
  readonly related: readonly LocatedRelated[];
}

function sourceFor(result: RunResult, path: string): SourceFile {
  // The engine adds every file a span can point into; an empty stand-in keeps reporters total
  // (positions clamp to 1:1) instead of throwing while printing other people's findings.
  return result.sources.get(path) ?? createSourceFile(path, '');
}

export function locateSpan(result: RunResult, span: Span): LocatedRange {
  const source = sourceFor(result, span.file);
  const start = positionAt(source, span.start);
  let end = positionAt(source, Math.max(span.start, span.end));
  // A span that swallows the line break (a whole YAML block, an ini line) would otherwise end at
  // column 1 of the next line, which frames and annotations show as an extra, empty line.
  if (end.column === 1 && end.line > start.line) {
    const line = end.line - 1;
    const afterText = lineText(source, line).length + 1;
    // A span that starts on the `\n` of a CRLF pair lies past the visible text.
    end = { line, column: line === start.line ? Math.max(start.column, afterText) : afterText };
  }
  return { file: span.file, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

export function toLocated(result: RunResult, f: Finding): LocatedFinding {
  return {
    ...locateSpan(result, f.span),
    finding: f,
    related: f.related.map((r) => ({ ...locateSpan(result, r.span), message: r.message })),
  };
}

/** Code-unit order, independent of the locale, so sorted output is the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRanges(a: LocatedRange, b: LocatedRange): number {
  if (a.file !== b.file) return compareStrings(a.file, b.file);
  return a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn;
}

export interface SeverityCounts {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
}

export function countBySeverity(findings: readonly { readonly severity: Severity }[]): SeverityCounts {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { errors: counts.error, warnings: counts.warning, infos: counts.info };
}

/** Distinct files across all stacks: a file shared by two stacks is one file checked. */
export function checkedFileCount(result: RunResult): number {
  return new Set(result.stacks.flatMap((s) => s.files)).size;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line for a run: the counts when there are findings, a clean message otherwise. */
export function summaryLine(result: RunResult): string {
  const total = result.findings.length;
  if (total === 0) {
    return `✔ ${plural(result.stacks.length, 'stack')}, ${plural(checkedFileCount(result), 'file')} checked, no problems`;
  }
  const c = countBySeverity(result.findings);
  return `✖ ${plural(total, 'problem')} (${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${plural(c.infos, 'info')})`;
}

function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined) return '';
  let p = prefix.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

/** The path as seen from the working directory (the repository root in CI). */
export function repoPath(opts: Pick<ReportOptions, 'cwdRelativeRoot'>, file: string): string {
  const prefix = normalizePrefix(opts.cwdRelativeRoot);
  return prefix === '' ? file : `${prefix}/${file}`;
}

/** A path as a relative URI reference: segments percent-encoded (parentheses too, for markdown links). */
export function uriPath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/\(/g, '%28').replace(/\)/g, '%29'))
    .join('/');
}
