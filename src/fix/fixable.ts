import type { Finding } from '../core/finding.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The line under a report's summary saying what `--fix` would do: `[*] 4 problems fixable with
 * \`arena-lint check --fix\`` (ruff's wording), and how many more only `--unsafe-fixes` would apply.
 * Undefined when nothing is fixable.
 */
export function fixableSummary(findings: readonly Finding[]): string | undefined {
  const safe = findings.filter((f) => f.fix?.safe).length;
  const unsafe = findings.filter((f) => f.fix && !f.fix.safe).length;
  if (safe === 0 && unsafe === 0) return undefined;
  const parts: string[] = [];
  if (safe > 0) parts.push(`[*] ${plural(safe, 'problem')} fixable with \`arena-lint check --fix\` (see them with \`--diff\`)`);
  if (unsafe > 0) parts.push(`${safe > 0 ? '    ' : ''}${unsafe} more ${unsafe === 1 ? 'fix changes' : 'fixes change'} behaviour and ${unsafe === 1 ? 'is' : 'are'} applied only with \`--fix --unsafe-fixes\``);
  return parts.join('\n');
}
