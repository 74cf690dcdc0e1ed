import type { Finding, RunResult, Severity } from '../core/finding.js';
import { countBySeverity, repoPath, summaryLine, toLocated, uriPath, type LocatedFinding, type ReportOptions } from './locate.js';

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };
const NO_STACK = '(whole directory)';

/**
 * Text inside a table cell: `|` would end the cell, a newline the row, and `<`/`&` would be read
 * as HTML (a message quoting `<host>` would lose it); emphasis and link characters are escaped
 * so values like `max_client_conn` or `DATABASES['default']` print as written.
 */
export function escapeCell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1')
    .replace(/\r?\n/g, '<br>');
}

function locationCell(opts: ReportOptions, at: LocatedFinding): string {
  const path = repoPath(opts, at.file);
  const label = escapeCell(`${path}:${at.line}`);
  if (opts.blobUrl === undefined) return label;
  const base = opts.blobUrl.endsWith('/') ? opts.blobUrl : `${opts.blobUrl}/`;
  const anchor = at.endLine > at.line ? `#L${at.line}-L${at.endLine}` : `#L${at.line}`;
  const href = `${base}${uriPath(path)}${anchor}`;
  return `[${label}](${href})`;
}

function stackTable(result: RunResult): string[] {
  const rows = new Map<string, Finding[]>();
  for (const s of result.stacks) rows.set(s.name, []);
  for (const f of result.findings) {
    const name = f.stack ?? NO_STACK;
    const row = rows.get(name);
    if (row) row.push(f);
    else rows.set(name, [f]);
  }
  const lines = ['| Stack | Errors | Warnings | Infos |', '|---|---:|---:|---:|'];
  for (const [name, findings] of rows) {
    const c = countBySeverity(findings);
    lines.push(`| ${escapeCell(name)} | ${c.errors} | ${c.warnings} | ${c.infos} |`);
  }
  return lines;
}

/** A findings table (icon, rule, location, message, and the hint when `withHints`), for job summaries. */
export function findingsTable(result: RunResult, findings: readonly Finding[], opts: ReportOptions, withHints = false): string[] {
  const out = withHints ? ['| | Rule | Location | Message | Hint |', '|---|---|---|---|---|'] : ['| | Rule | Location | Message |', '|---|---|---|---|'];
  for (const f of findings) {
    const at = toLocated(result, f);
    const row = `| ${ICON[f.severity]} | \`${f.ruleId}\` | ${locationCell(opts, at)} | ${escapeCell(f.message)} |`;
    out.push(withHints ? `${row} ${f.hint ? escapeCell(f.hint) : ''} |` : row);
  }
  return out;
}

/** A GitHub job summary ($GITHUB_STEP_SUMMARY): every finding in a table, then counts per stack. */
export function formatMarkdownSummary(result: RunResult, opts: ReportOptions): string {
  const out = ['## arena-lint', '', escapeCell(summaryLine(result))];
  if (result.findings.length > 0) {
    out.push('', '| | Rule | Location | Message |', '|---|---|---|---|');
    for (const f of result.findings) {
      const at = toLocated(result, f);
      out.push(`| ${ICON[f.severity]} | \`${f.ruleId}\` | ${locationCell(opts, at)} | ${escapeCell(f.message)} |`);
    }
  }
  if (result.stacks.length > 0 || result.findings.length > 0) out.push('', ...stackTable(result));
  return `${out.join('\n')}\n`;
}

/** The `blobUrl` for links into the checked-out commit, from the variables every Actions job has. */
export function githubBlobUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  if (!server || !repo || !sha) return undefined;
  return `${server}/${repo}/blob/${sha}/`;
}
