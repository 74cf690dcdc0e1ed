import type { Finding, RunResult } from '../core/finding.js';
import { createSourceFile, SourceSet } from '../core/source.js';
import type { Span } from '../core/value.js';
import { copyFinding } from '../reporters/fingerprint.js';

/** One checked path's result and where its directory is, seen from the working directory. */
export interface RunPart {
  /** `deploy`, `services/api`, or '' for the working directory itself. */
  readonly prefix: string;
  readonly result: RunResult;
}

function join(prefix: string, path: string): string {
  return prefix === '' ? path : `${prefix}/${path}`;
}

/**
 * The results of several checked paths as one result whose paths are relative to the working
 * directory (as ESLint prints them), so every format names a file the same way and one report
 * covers every path. Fingerprints were recorded by the engine before, relative to each checked
 * directory, so they do not depend on where arena-lint was started.
 */
export function combineRuns(parts: readonly RunPart[], root: string): RunResult {
  const sources = new SourceSet();
  const findings: Finding[] = [];
  const stacks: RunResult['stacks'][number][] = [];
  for (const { prefix, result } of parts) {
    for (const file of result.sources.all()) sources.add(prefix === '' ? file : createSourceFile(join(prefix, file.path), file.text));
    const span = (s: Span): Span => (prefix === '' ? s : { ...s, file: join(prefix, s.file) });
    for (const f of result.findings) {
      findings.push(
        copyFinding(f, {
          span: span(f.span),
          related: f.related.map((r) => ({ ...r, span: span(r.span) })),
          ...(f.stack !== undefined ? { stack: join(prefix, f.stack) } : {}),
        }),
      );
    }
    for (const s of result.stacks) stacks.push({ name: join(prefix, s.name), files: s.files.map((f) => join(prefix, f)) });
  }
  // The same file reached through two paths (`.` and `deploy`) is one finding.
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.ruleId}\0${f.span.file}\0${f.span.start}\0${f.span.end}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const stackNames = new Set<string>();
  return {
    root,
    stacks: stacks.filter((s) => (stackNames.has(s.name) ? false : (stackNames.add(s.name), true))),
    findings: unique.sort((a, b) => (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : a.span.start - b.span.start || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0))),
    sources,
  };
}
