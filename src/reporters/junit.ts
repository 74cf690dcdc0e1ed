import type { Finding, RunResult } from '../core/finding.js';
import { repoPath, toLocated, type ReportOptions } from './locate.js';

/** Text and attribute values: the five XML specials, and the control characters XML 1.0 forbids. */
function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

const NO_STACK = '(whole directory)';

/**
 * JUnit XML (the Ant/Jenkins schema GitLab, Jenkins, Azure and CircleCI read): one test suite per
 * stack, one failing test case per finding (warnings too, as ESLint's junit formatter does, with
 * the severity as the failure type), and one passing case for a stack without findings, so a clean
 * run still shows what was checked.
 */
export function formatJunit(result: RunResult, opts: ReportOptions): string {
  const byStack = new Map<string, Finding[]>();
  for (const s of result.stacks) byStack.set(s.name, []);
  for (const f of result.findings) {
    const name = f.stack ?? NO_STACK;
    byStack.set(name, [...(byStack.get(name) ?? []), f]);
  }
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const [stack, findings] of byStack) {
    const cases: string[] = [];
    for (const f of findings) {
      const at = toLocated(result, f);
      const where = `${repoPath(opts, at.file)}:${at.line}:${at.column}`;
      const body = [`${where} ${f.message}`, ...at.related.map((r) => `  related ${repoPath(opts, r.file)}:${r.line}:${r.column} ${r.message}`), ...(f.hint ? [`  hint: ${f.hint}`] : [])].join('\n');
      cases.push(
        `    <testcase name="${xml(`${f.ruleId} ${where}`)}" classname="${xml(`arena-lint.${f.ruleId}`)}" file="${xml(repoPath(opts, at.file))}" line="${at.line}" time="0">\n` +
          `      <failure message="${xml(f.message)}" type="${f.severity}">${xml(body)}</failure>\n` +
          '    </testcase>',
      );
    }
    if (findings.length === 0) cases.push(`    <testcase name="${xml(`${repoPath(opts, stack)} has no findings`)}" classname="arena-lint" time="0"/>`);
    tests += cases.length;
    failures += findings.length;
    const shown = stack === NO_STACK ? stack : repoPath(opts, stack);
    suites.push(`  <testsuite name="${xml(shown)}" tests="${cases.length}" failures="${findings.length}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="arena-lint" tests="${tests}" failures="${failures}" errors="0" time="0">\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
