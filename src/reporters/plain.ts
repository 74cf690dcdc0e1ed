import type { RunResult } from '../core/finding.js';
import { compareRanges, compareStrings, toLocated, type LocatedFinding, type LocatedRange } from './locate.js';

function where(r: LocatedRange): string {
  return `${r.file}:${r.line}:${r.column}`;
}

function compareFindings(a: LocatedFinding, b: LocatedFinding): number {
  const byRange = compareRanges(a, b);
  if (byRange !== 0) return byRange;
  return compareStrings(a.finding.ruleId, b.finding.ruleId) || compareStrings(a.finding.message, b.finding.message);
}

/**
 * One line per finding, root-relative paths, no colour and no hint: the format of the fixtures'
 * `expected.txt`. Sorted here (related locations too) so the files do not depend on rule order.
 */
export function formatPlain(result: RunResult): string {
  const lines: string[] = [];
  for (const f of result.findings.map((x) => toLocated(result, x)).sort(compareFindings)) {
    lines.push(`${where(f)} ${f.finding.severity} ${f.finding.message} [${f.finding.ruleId}]`);
    const related = [...f.related].sort((a, b) => compareRanges(a, b) || compareStrings(a.message, b.message));
    for (const r of related) lines.push(`  related ${where(r)} ${r.message}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
