import type { RunResult, Severity } from '../core/finding.js';
import { checkedFileCount, countBySeverity, toLocated, type ReportOptions } from './locate.js';

/**
 * The `--format json` contract (documented in json-contract.md). Bump `version` on any change
 * that removes or renames a field or changes its meaning; adding a field is not a change.
 */
export const JSON_REPORT_VERSION = 2;

export interface JsonReport {
  readonly version: typeof JSON_REPORT_VERSION;
  /** Every checked path as the user named it, `/` separated. */
  readonly roots: readonly string[];
  readonly stacks: readonly JsonStack[];
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly summary: JsonSummary;
}

export interface JsonStack {
  /** The compose file, relative to the working directory. */
  readonly name: string;
  /** Every file the stack was built from, relative to the working directory, sorted. */
  readonly files: readonly string[];
}

export interface JsonDiagnostic {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  /** Relative to the working directory, `/` separated. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
  readonly endLine: number;
  /** Exclusive: the column after the last character, as in ESLint. */
  readonly endColumn: number;
  /** The `name` of the stack the diagnostic belongs to; null for findings about the repository as a whole. */
  readonly stack: string | null;
  readonly related: readonly JsonRelated[];
  /** A short imperative fix; present only when the rule gives one. */
  readonly hint?: string;
}

export interface JsonRelated {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface JsonSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** Distinct files across all stacks. */
  readonly files: number;
  readonly stacks: number;
}

export function toJsonReport(result: RunResult): JsonReport {
  const diagnostics = result.findings.map((f): JsonDiagnostic => {
    const at = toLocated(result, f);
    const diagnostic: JsonDiagnostic = {
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: at.file,
      line: at.line,
      column: at.column,
      endLine: at.endLine,
      endColumn: at.endColumn,
      stack: f.stack ?? null,
      related: at.related.map((r) => ({ file: r.file, line: r.line, column: r.column, message: r.message })),
    };
    return f.hint === undefined ? diagnostic : { ...diagnostic, hint: f.hint };
  });
  return {
    version: JSON_REPORT_VERSION,
    roots: (result.roots ?? [result.root]).map((r) => r.replace(/\\/g, '/')),
    stacks: result.stacks.map((s) => ({ name: s.name, files: [...s.files] })),
    diagnostics,
    summary: { ...countBySeverity(result.findings), files: checkedFileCount(result), stacks: result.stacks.length },
  };
}

// `opts` is unused: the contract does not depend on colour or the working directory, but every
// formatter takes the same arguments so the CLI can pick one from a table.
export function formatJson(result: RunResult, _opts: ReportOptions): string {
  return `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
}
