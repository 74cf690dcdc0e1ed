import { createHash } from 'node:crypto';
import type { RunResult } from '../core/finding.js';
import { lineText } from '../core/source.js';
import type { LocatedRange } from './locate.js';

/**
 * The offending lines with indentation and runs of blanks collapsed: what identifies the finding
 * when lines are inserted above it or the file is re-indented.
 */
function normalizedLines(result: RunResult, at: LocatedRange): string {
  const source = result.sources.get(at.file);
  if (!source) return '';
  const lines: string[] = [];
  for (let n = at.line; n <= at.endLine; n++) lines.push(lineText(source, n).trim().replace(/\s+/g, ' '));
  return lines.join('\n');
}

/**
 * A finding's identity without line numbers (rule, file, the text of its lines), so it survives
 * edits above it: GitHub code scanning matches alerts by it, and baselines match findings by it.
 * `path` is the file as the consumer names it (repository-relative for SARIF).
 */
export function lineHash(result: RunResult, ruleId: string, path: string, at: LocatedRange): string {
  return createHash('sha256').update(`${ruleId}\0${path}\0${normalizedLines(result, at)}`).digest('hex').slice(0, 32);
}
