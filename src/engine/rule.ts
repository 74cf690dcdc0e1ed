import type { RelatedLocation, Severity } from '../core/finding.js';
import type { Fix } from '../core/fix.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { positionAt } from '../core/source.js';
import type { Span } from '../core/value.js';
import type { Stack } from '../stack/stack.js';
import type { StackFacts } from '../facts/index.js';
import type { ResolvedConfig } from './config.js';

export interface Report {
  /** Where a user edits to fix it. */
  readonly span: Span;
  readonly message: string;
  readonly related?: readonly RelatedLocation[];
  readonly hint?: string;
  /** Overrides the configured severity for this one finding (e.g. a softer case of the same rule). */
  readonly severity?: Severity;
  /** The edits that fix it; leave it out when a value came through an unknown or a template. */
  readonly fix?: Fix;
  /**
   * What the finding is about, stable across commits: e.g. `django_backend/web-16` for a replica
   * missing from an upstream. Fingerprints (SARIF, baselines, the pull-request check) are keyed on
   * it; without it the key is the message with its numbers and `file:line` references masked.
   */
  readonly key?: string;
}

export interface RuleContext {
  readonly stack: Stack;
  /** Every stack of the checked folder, this one included, in report order: for the rare verdict about the repository. */
  readonly stacks: readonly Stack[];
  /** Numbers computed once from the stack (concurrency, resources, totals): what rules compare. */
  readonly facts: StackFacts;
  readonly config: ResolvedConfig;
  report(r: Report): void;
  /** `file:line` of a span, for naming the other end of a cross-file finding inside a message. */
  where(span: Span): string;
  /** Records why a rule stayed silent (shown with --verbose). */
  unknown(reason: string, span?: Span): void;
}

export interface Rule {
  readonly meta: RuleMeta;
  check(ctx: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export function whereOf(stack: Pick<Stack, 'sources'>, span: Span): string {
  const file = stack.sources.get(span.file);
  if (!file) return span.file;
  return `${span.file}:${positionAt(file, span.start).line}`;
}
