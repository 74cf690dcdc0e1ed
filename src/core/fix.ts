import type { Span } from './value.js';

/**
 * Replaces the text under `span` with `text` (ESLint's and ruff's edit). An insertion is an empty
 * span; a deletion is empty text. Offsets are those of the file as it was read.
 */
export interface TextEdit {
  readonly span: Span;
  readonly text: string;
}

/**
 * A set of edits over one or more files that is applied whole or not at all. `safe` fixes are what
 * `check --fix` applies; an unsafe one changes behaviour beyond the finding (dropping a setting) and is
 * only shown by `check --diff`.
 */
export interface Fix {
  /** Imperative, names what changes: "add web-3 to upstream django_streaming". */
  readonly title: string;
  readonly edits: readonly TextEdit[];
  readonly safe: boolean;
  /** Set by the engine when an edit writes a secret value: the fix is applied, but never printed in a report. */
  readonly carriesSecret?: boolean;
}

export function textEdit(span: Span, text: string): TextEdit {
  return { span, text };
}

export function insertAt(file: string, offset: number, text: string): TextEdit {
  return { span: { file, start: offset, end: offset }, text };
}

/** The files a fix touches, sorted. */
export function filesOf(fix: Fix): string[] {
  return [...new Set(fix.edits.map((e) => e.span.file))].sort();
}
