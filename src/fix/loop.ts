import type { Finding } from '../core/finding.js';
import type { Fix } from '../core/fix.js';
import { check, type CheckOptions, type CheckRun } from '../engine/run.js';
import { writtenSecrets } from '../security/secrets.js';
import { planFixes, type FileChange } from './apply.js';

/** ESLint stops after 10 passes; a fix that keeps re-offering itself must not loop forever. */
export const MAX_FIX_PASSES = 10;

export interface FixLoopResult {
  /** The check of the fixed texts (what the report shows). */
  readonly final: CheckRun;
  /** Every file that changes, original text (as first read) and fixed text. */
  readonly changes: readonly FileChange[];
  /** Replaces every secret value the stacks write with asterisks, for printing a changed line. */
  readonly scrub: (line: string) => string;
  /** How many fixes were applied over all passes. */
  readonly applied: number;
  readonly passes: number;
}

/** The safe fixes of a run's findings, in report order. */
export function safeFixes(findings: readonly Finding[]): Fix[] {
  return findings.flatMap((f) => (f.fix?.safe ? [f.fix] : []));
}

/**
 * ESLint's fix loop, in memory: check, apply the safe fixes that do not overlap, check the new texts,
 * and repeat until no fix is left or the texts stop changing (bounded by MAX_FIX_PASSES). Nothing is
 * written; the caller writes `changes` all at once, so an interrupted run never leaves half a fix.
 */
export function fixLoop(opts: CheckOptions, choose: (findings: readonly Finding[]) => Fix[] = safeFixes, first?: CheckRun): FixLoopResult {
  const overlay = new Map<string, string>(opts.overlay ?? []);
  const originals = new Map<string, { raw: string; shown: string }>();
  let applied = 0;
  let passes = 0;
  // A run the caller already made of the same options is the first pass.
  let run = first && !opts.overlay ? first : check({ ...opts, overlay });
  while (passes < MAX_FIX_PASSES) {
    const fixes = choose(run.result.findings);
    if (fixes.length === 0) break;
    const current = run;
    // Fixes apply to the files as read; the run's sources have their secrets masked for reporters.
    const plan = planFixes(fixes, (p) => rawText(current, p));
    if (plan.files.length === 0) break;
    passes++;
    applied += plan.applied.length;
    for (const f of plan.files) {
      if (!originals.has(f.path)) originals.set(f.path, { raw: f.original, shown: current.result.sources.get(f.path)?.text ?? f.original });
      overlay.set(f.path, f.updated);
    }
    run = check({ ...opts, overlay });
  }
  const changes = [...originals.entries()]
    .map(([path, o]) => ({ path, original: o.raw, shown: o.shown, updated: overlay.get(path)! }))
    .filter((c) => c.original !== c.updated)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return { final: run, changes, applied, passes, scrub: secretScrubber(run) };
}

/** A file's text as read (secrets included), which edits apply to; the reporters' copy is masked. */
export function rawText(run: CheckRun, path: string): string | undefined {
  for (const s of run.stacks) {
    const f = s.sources.get(path);
    if (f) return f.text;
  }
  return run.result.sources.get(path)?.text;
}

/** Masks the distinctive secret values of a run's stacks in a line printed from a fixed file. */
export function secretScrubber(run: CheckRun): (line: string) => string {
  const values = [...new Set(run.stacks.flatMap((s) => writtenSecrets(s)).filter((x) => x.distinctive).map((x) => x.value))].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  return (line) => values.reduce((acc, v) => acc.split(v).join('*'.repeat(v.length)), line);
}
