import type { Span } from './value.js';

/** A file that could not be (fully) read. Reported as the `parse-error` rule. */
export interface ParseProblem {
  readonly message: string;
  readonly span: Span;
}

/** A comment with the marker (`#`, `;`) stripped; kept for inline suppressions. */
export interface Comment {
  readonly text: string;
  readonly span: Span;
}

export interface ParseResult<T> {
  /** Undefined only when nothing at all could be recovered. */
  readonly doc: T | undefined;
  readonly problems: ParseProblem[];
  readonly comments: Comment[];
}
