import { insertAt, textEdit, type TextEdit } from '../core/fix.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { eolOf, indentAt, lineStart } from './text.js';

/** pgbouncer (like most ini readers) knows only whole-line comments; `;` or `#` after a blank is part of a value. */
const INLINE_COMMENT = /\s+[#;]/;

/** The value without what looks like an inline comment, or undefined when it has none. */
export function valueBeforeComment(value: string): string | undefined {
  const m = INLINE_COMMENT.exec(value);
  return m ? value.slice(0, m.index) : undefined;
}

/**
 * Moves an inline comment (`max_client_conn = 2000  # Was: 1000`) to its own line above the setting,
 * indented like it, in the file's line endings: `# Was: 1000` then `max_client_conn = 2000`.
 */
export function moveInlineComment(file: SourceFile, valueSpan: Span): TextEdit[] | undefined {
  const value = file.text.slice(valueSpan.start, valueSpan.end);
  const m = INLINE_COMMENT.exec(value);
  if (!m || m.index === 0) return undefined;
  const comment = value.slice(m.index).trim();
  const eol = eolOf(file.text);
  const start = lineStart(file.text, valueSpan.start);
  return [
    insertAt(file.path, start, `${indentAt(file.text, valueSpan.start)}${comment}${eol}`),
    textEdit({ file: file.path, start: valueSpan.start + m.index, end: valueSpan.end }, ''),
  ];
}
