import type { Severity } from './finding.js';

/**
 * What a rule says about itself. The rule docs, the config schema, `arena-lint rules` and
 * the SARIF driver are all generated from this, so they cannot drift from the code.
 */
export interface RuleMeta {
  /** Kebab-case, part of the public contract (config keys, suppressions, SARIF ids). */
  readonly id: string;
  /** One line, starts with a verb: what the rule reports. */
  readonly description: string;
  readonly defaultSeverity: Severity;
  /** Which tier of the stack the rule checks; groups the docs. */
  readonly category: 'topology' | 'data' | 'host' | 'security' | 'meta';
  /**
   * Whether the rule offers edits with its findings: `sometimes` when they depend on the values being
   * literal text in the repository (not a template or an unset variable). Shown in the rule's docs.
   */
  readonly fixable?: 'always' | 'sometimes';
  readonly docs: {
    /** What it checks, in a few sentences. */
    readonly what: string;
    /** Why it breaks the stack. */
    readonly why: string;
    /** Optional further notes (limits, what stays unknown). */
    readonly notes?: string;
  };
}

export function docsUrl(id: string): string {
  return `https://github.com/arena-lint/arena-lint/blob/main/docs/rules/${id}.md`;
}
