import type { RunResult, Severity } from '../core/finding.js';
import { repoPath, toLocated, type LocatedFinding, type ReportOptions } from './locate.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

/** The runner splits a command at its first `::` and at newlines, so these must be encoded. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value ends at `,` and the property list at `::`, so those are encoded as well. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(opts: ReportOptions, at: LocatedFinding): string {
  const f = at.finding;
  const props: [string, string | number][] = [['file', repoPath(opts, at.file)], ['line', at.line]];
  // GitHub keeps columns only for single-line annotations (the check-run API rejects
  // start/end columns that span lines), so a multi-line range is annotated by lines only.
  if (at.endLine === at.line) props.push(['col', at.column], ['endLine', at.endLine], ['endColumn', at.endColumn]);
  else props.push(['endLine', at.endLine]);
  props.push(['title', `arena-lint (${f.ruleId})`]);

  // One-line annotations would lose the other locations, so they follow the message.
  const body = [f.message];
  for (const r of at.related) body.push(`↳ ${repoPath(opts, r.file)}:${r.line}:${r.column} ${r.message}`);
  if (f.hint !== undefined) body.push(`hint: ${f.hint}`);

  const properties = props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${COMMAND[f.severity]} ${properties}::${escapeData(body.join('\n'))}`;
}

/** GitHub Actions workflow commands: each finding becomes an annotation on the changed file. */
export function formatGithub(result: RunResult, opts: ReportOptions): string {
  const lines = result.findings.map((f) => annotation(opts, toLocated(result, f)));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
