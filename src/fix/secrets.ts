import type { Finding } from '../core/finding.js';

/**
 * A fix keeps its edits as they must be written (a copied line may hold a password), so the engine
 * marks the fixes whose text holds a secret value the stack writes; reporters never print those
 * (SARIF leaves out their `fixes`), and diffs mask the value.
 */
export function markSecretFixes(findings: readonly Finding[], secrets: readonly { readonly value: string }[]): Finding[] {
  const values = [...new Set(secrets.map((s) => s.value))].filter((v) => v.length >= 4);
  if (values.length === 0) return [...findings];
  return findings.map((f) => (f.fix && f.fix.edits.some((e) => values.some((v) => e.text.includes(v))) ? { ...f, fix: { ...f.fix, carriesSecret: true } } : f));
}
