import { codeFrameColumns, type BabelCodeFrameOptions, type SourceLocation } from '@babel/code-frame';
import { createColors } from 'picocolors';
import type { RunResult, Severity } from '../core/finding.js';
import { lineText, type SourceFile } from '../core/source.js';
import { fixableSummary } from '../fix/fixable.js';
import { countBySeverity, repoPath, summaryLine, toLocated, type LocatedFinding, type ReportOptions } from './locate.js';

type Colors = ReturnType<typeof createColors>;

/** A frame of more lines than this would bury the message, so only the first line is marked. */
const MAX_FRAMED_LINES = 3;
const CONTEXT_LINES = 1;
const INDENT = '    ';

// code-frame also breaks lines at these characters; our line numbers count only `\n`.
const FOREIGN_LINE_BREAKS = /[\r\u2028\u2029]/g;

function severityColor(c: Colors, severity: Severity): (s: string) => string {
  return severity === 'error' ? c.red : severity === 'warning' ? c.yellow : c.blue;
}

/** The offending lines with one line of context, or undefined when the file was never read. */
export function codeFrame(source: SourceFile | undefined, at: LocatedFinding): string | undefined {
  if (!source) return undefined;
  // A final newline opens no line worth showing as context.
  const lastLine = source.lineStarts.length - (source.text.endsWith('\n') ? 1 : 0);
  const lastMarked = at.endLine - at.line < MAX_FRAMED_LINES ? at.endLine : at.line;
  const first = Math.max(1, at.line - CONTEXT_LINES);
  const shown = Math.max(lastMarked, Math.min(lastLine, lastMarked + CONTEXT_LINES));
  const window: string[] = [];
  for (let n = first; n <= shown; n++) window.push(lineText(source, n).replace(FOREIGN_LINE_BREAKS, ' '));

  let location: SourceLocation;
  if (at.endLine === at.line) {
    location = { start: { line: at.line, column: at.column }, end: { line: at.line, column: at.endColumn } };
  } else if (at.endLine - at.line < MAX_FRAMED_LINES) {
    // On the last line of a multi-line range code-frame draws `column` markers, i.e. it reads the
    // end column as inclusive; ours is exclusive.
    location = { start: { line: at.line, column: at.column }, end: { line: at.endLine, column: at.endColumn - 1 } };
  } else {
    const toEndOfLine = lineText(source, at.line).length + 1;
    location = { start: { line: at.line, column: at.column }, end: { line: at.line, column: Math.max(at.column, toEndOfLine) } };
  }
  // `startLine` (code-frame 7.x, missing from its typings) numbers the window as the file's own
  // lines, so only the shown lines are split instead of the whole file.
  const options: BabelCodeFrameOptions & { startLine: number } = {
    highlightCode: false,
    linesAbove: CONTEXT_LINES,
    linesBelow: CONTEXT_LINES,
    startLine: first,
  };
  return codeFrameColumns(window.join('\n'), location, options);
}

function renderFinding(result: RunResult, opts: ReportOptions, c: Colors, f: LocatedFinding, widths: { pos: number; sev: number }): string[] {
  // The full `file:line:col` is clickable in terminals and editors, even under the file's heading.
  const pos = `${repoPath(opts, f.file)}:${f.line}:${f.column}`;
  const sev = f.finding.severity;
  const pad = (text: string, width: number) => ' '.repeat(width - text.length);
  // ruff's mark: `[*]` before a finding that `check --fix` fixes.
  const mark = f.finding.fix?.safe ? `${c.green('[*]')} ` : '';
  const out = [
    `  ${c.dim(pos)}${pad(pos, widths.pos)}  ${severityColor(c, sev)(sev)}${pad(sev, widths.sev)}  ${mark}${f.finding.message}  ${c.dim(f.finding.ruleId)}`,
  ];
  const frame = codeFrame(result.sources.get(f.file), f);
  if (frame !== undefined) out.push(...frame.split('\n').map((l) => INDENT + l));
  for (const r of f.related) {
    out.push(`${INDENT}${c.dim('↳')} ${c.cyan(`${repoPath(opts, r.file)}:${r.line}:${r.column}`)} ${r.message}`);
  }
  if (f.finding.hint !== undefined) out.push(`${INDENT}${c.green('hint:')} ${f.finding.hint}`);
  return out;
}

/**
 * ESLint's stylish layout: findings grouped under their file, each with the offending lines,
 * the other locations involved and the fix hint, then one summary line.
 */
export function formatStylish(result: RunResult, opts: ReportOptions): string {
  const c = createColors(opts.color);
  const groups = new Map<string, LocatedFinding[]>();
  for (const finding of result.findings) {
    const located = toLocated(result, finding);
    const group = groups.get(located.file);
    if (group) group.push(located);
    else groups.set(located.file, [located]);
  }

  const lines: string[] = [];
  for (const [file, findings] of groups) {
    const widths = {
      pos: Math.max(...findings.map((f) => `${repoPath(opts, f.file)}:${f.line}:${f.column}`.length)),
      sev: Math.max(...findings.map((f) => f.finding.severity.length)),
    };
    lines.push(c.underline(repoPath(opts, file)));
    for (const f of findings) lines.push(...renderFinding(result, opts, c, f, widths), '');
  }

  const counts = countBySeverity(result.findings);
  const summary = summaryLine(result);
  const paint = result.findings.length === 0 ? c.green : counts.errors > 0 ? c.red : counts.warnings > 0 ? c.yellow : c.blue;
  lines.push(c.bold(paint(summary)));
  const fixable = fixableSummary(result.findings);
  if (fixable) lines.push(c.green(fixable));
  return `${lines.join('\n')}\n`;
}
