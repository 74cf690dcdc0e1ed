import type { CheckOptions, CheckRun } from '../engine/run.js';
import type { FileChange } from './apply.js';
import { unifiedDiffs } from './diff.js';
import { fixLoop, safeFixes } from './loop.js';

/** The diff in a job summary stays far below GitHub's 1 MiB limit for the whole summary. */
export const SUMMARY_DIFF_LIMIT = 64 * 1024;

/**
 * The job-summary section with the fixes `arena-lint check --fix` would make, as one `diff` block
 * (paths prefixed with the checked folder, so they read as repository paths); '' when there are none.
 * The `pr` summary calls this; it only formats.
 */
export function fixDiffMarkdown(changes: readonly FileChange[], applied: number, prefix = '', scrub?: (line: string) => string): string {
  if (changes.length === 0) return '';
  const p = prefix === '' || prefix === '.' ? '' : `${prefix.replace(/\/+$/, '')}/`;
  let diff = unifiedDiffs(changes.map((c) => ({ ...c, path: `${p}${c.path}` })), scrub);
  let cut = '';
  if (Buffer.byteLength(diff) > SUMMARY_DIFF_LIMIT) {
    diff = diff.slice(0, SUMMARY_DIFF_LIMIT).replace(/\n[^\n]*$/, '\n');
    cut = '\n_The diff is cut short here; run `arena-lint check --diff` for all of it._\n';
  }
  const fence = '`'.repeat(Math.max(3, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const where = p === '' ? '' : ` ${p.slice(0, -1)}`;
  return `\n### Fixes arena-lint can make\n\n${applied} ${applied === 1 ? 'fix' : 'fixes'} in ${changes.length} ${changes.length === 1 ? 'file' : 'files'}; \`arena-lint check --fix${where}\` applies them:\n\n${fence}diff\n${diff}${fence}\n${cut}`;
}

/** Runs the fix loop in memory on a check the caller made and formats what it would change. */
export function availableFixesMarkdown(opts: CheckOptions, run: CheckRun, prefix = ''): string {
  const loop = fixLoop(opts, safeFixes, run);
  return fixDiffMarkdown(loop.changes, loop.applied, prefix, loop.scrub);
}
