import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';

/** The line ending a file mostly uses; new lines are written with it so CRLF files stay CRLF. */
export function eolOf(text: string): '\n' | '\r\n' {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

/** Offset of the first character of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line ending of the line holding `offset` (the end of the text on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** The end of the line's content, before `\r\n` or `\n`. */
export function lineContentEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return text.length;
  return nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** The spaces and tabs that start the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** Whether nothing but blanks stands before `span` on its line and nothing but blanks or a comment after it. */
export function standsAlone(text: string, span: Span, comment = /^\s*(#.*)?$/): boolean {
  const before = text.slice(lineStart(text, span.start), span.start);
  const after = text.slice(span.end, lineContentEnd(text, span.end));
  return /^[ \t]*$/.test(before) && comment.test(after);
}

/** The text under a span. */
export function spanText(file: SourceFile | string, span: Span): string {
  const text = typeof file === 'string' ? file : file.text;
  return text.slice(span.start, span.end);
}

/**
 * Whether a value's span holds exactly its literal text: a value that came through `${VAR}`, a template,
 * an env file or a computation does not, and a fix must not guess where to write it.
 */
export function isLiteralAt(file: SourceFile | undefined, span: Span, literal: string): boolean {
  return file !== undefined && file.text.slice(span.start, span.end) === literal;
}
