import type { RunResult, Severity } from '../core/finding.js';
import { occurrenceFingerprints } from './fingerprint.js';
import { repoPath, toLocated, type ReportOptions } from './locate.js';

/**
 * One issue of a GitLab code quality report (the CodeClimate subset GitLab documents:
 * https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).
 */
export interface GitlabIssue {
  readonly description: string;
  readonly check_name: string;
  /** Unique per issue; GitLab compares reports of two pipelines by it. */
  readonly fingerprint: string;
  readonly severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  readonly location: { readonly path: string; readonly lines: { readonly begin: number; readonly end: number } };
  readonly type?: 'issue';
  readonly categories?: readonly string[];
}

const SEVERITY: Record<Severity, GitlabIssue['severity']> = { error: 'major', warning: 'minor', info: 'info' };

/**
 * `--format gitlab`: a code quality report for `artifacts: reports: codequality`, so merge requests
 * show what a change adds and fixes. The fingerprint is the one SARIF and baselines use (with its
 * occurrence counter, as GitLab needs it unique), so an issue keeps it when lines move.
 */
export function formatGitlab(result: RunResult, opts: ReportOptions): string {
  const prints = occurrenceFingerprints(result.findings);
  const issues = result.findings.map((f, i): GitlabIssue => {
    const at = toLocated(result, f);
    const related = at.related.map((r) => `${repoPath(opts, r.file)}:${r.line} ${r.message}`);
    return {
      type: 'issue',
      check_name: f.ruleId,
      description: [f.message, ...(related.length ? [`(related: ${related.join('; ')})`] : []), ...(f.hint ? [`Hint: ${f.hint}`] : [])].join(' '),
      categories: ['Bug Risk'],
      fingerprint: prints[i]!.replace(':', '-'),
      severity: SEVERITY[f.severity],
      location: { path: repoPath(opts, at.file), lines: { begin: at.line, end: at.endLine } },
    };
  });
  return `${JSON.stringify(issues, null, 2)}\n`;
}
