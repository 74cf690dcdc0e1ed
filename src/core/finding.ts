import type { Fix } from './fix.js';
import type { SourceSet } from './source.js';
import type { Span } from './value.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
}

/** One diagnostic, positioned by span; reporters turn spans into line:column. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  /** The place a user edits to fix it. */
  readonly span: Span;
  /** The other lines involved in a cross-file finding. */
  readonly related: readonly RelatedLocation[];
  /** The compose file (relative path) of the stack the finding belongs to; absent for repo-wide findings. */
  readonly stack?: string;
  /** Short imperative fix hint. */
  readonly hint?: string;
  /** The edits that fix it, when the rule can make them (`check --fix`, `check --diff`). */
  readonly fix?: Fix;
  /**
   * What the finding is about (the upstream, service or setting), as its rule names it; without it
   * the key is derived from the message (src/reporters/fingerprint.ts).
   */
  readonly key?: string;
  /** Identity across commits (rule, stack, file, key), computed once by the engine; see entityHash. */
  readonly fingerprint?: string;
}

export interface StackSummary {
  /** The compose file's path relative to the root. */
  readonly name: string;
  /** Every file the stack was built from, relative paths, sorted. */
  readonly files: readonly string[];
}

/** What one `arena-lint check` produced; every reporter renders this. */
export interface RunResult {
  /** The checked directory as the user named it. */
  readonly root: string;
  /** Every checked path as the user named it, when one run checked several (paths are then relative to the working directory). */
  readonly roots?: readonly string[];
  readonly stacks: readonly StackSummary[];
  /** Sorted by file, line, column, rule id. */
  readonly findings: readonly Finding[];
  readonly sources: SourceSet;
}
