import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rule } from '../engine/rule.js';
import { check } from '../engine/run.js';
import { formatPlain } from '../reporters/plain.js';
import { toLocated } from '../reporters/locate.js';

/** Lines shown around each line a finding names. */
const CONTEXT = 3;
/** A silent case that differs from the firing one in more lines than this is another file, not a fix. */
const MAX_CHANGED_LINES = 12;

export interface FixtureExcerpt {
  /** Path inside the fixture. */
  readonly file: string;
  /** 1-based, inclusive. */
  readonly firstLine: number;
  readonly lastLine: number;
  readonly text: string;
}

export interface RuleExample {
  /** The fixture folder, e.g. `invalid-web-3-missing`. */
  readonly name: string;
  readonly fires: boolean;
  readonly excerpts: readonly FixtureExcerpt[];
  /** The rule's findings on the fixture, in the plain format of expected.txt ('' when silent). */
  readonly output: string;
}

export interface SuppressionExample {
  readonly file: string;
  /** The directive line followed by the line it silences, as they read in the file. */
  readonly text: string;
}

/** The line numbers per file that a run's findings point at (the finding and its related lines). */
type LinesByFile = Map<string, Set<number>>;

export function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).sort();
}

function runRule(dir: string, id: string, rules: readonly Rule[]) {
  // A fixture's `expected.fixed/` tree is what --fix makes of it, not part of the stack.
  const result = check({ dir, rules, ignore: ['expected.fixed/'] }).result;
  return { ...result, findings: result.findings.filter((f) => f.ruleId === id) };
}

/**
 * Every fixture of a rule with the lines that matter and the rule's real output on it: the firing
 * cases show the lines the findings name; the silent cases show where they differ from the first
 * firing case (the fix), so a reader sees the change that makes the rule quiet.
 */
export function ruleExamples(fixturesDir: string, id: string, rules: readonly Rule[]): RuleExample[] {
  const dir = join(fixturesDir, id);
  const cases = subdirs(dir);
  const invalid = cases.filter((c) => c.startsWith('invalid'));
  const valid = cases.filter((c) => c.startsWith('valid'));
  const examples: RuleExample[] = [];
  let reference: { dir: string; lines: LinesByFile } | undefined;
  for (const name of invalid) {
    const result = runRule(join(dir, name), id, rules);
    const lines: LinesByFile = new Map();
    const mark = (file: string, line: number) => (lines.get(file) ?? lines.set(file, new Set()).get(file)!).add(line);
    for (const f of result.findings.map((x) => toLocated(result, x))) {
      for (const r of [f, ...f.related]) {
        mark(r.file, r.line);
        mark(r.file, r.endLine);
      }
    }
    reference ??= { dir: join(dir, name), lines };
    examples.push({ name, fires: true, excerpts: excerpts(join(dir, name), lines), output: formatPlain(result) });
  }
  for (const name of valid) {
    const result = runRule(join(dir, name), id, rules);
    const lines = reference ? changedLines(reference.dir, join(dir, name), reference.lines) : new Map();
    examples.push({ name, fires: false, excerpts: excerpts(join(dir, name), lines), output: formatPlain(result) });
  }
  return examples;
}

function excerpts(dir: string, lines: LinesByFile): FixtureExcerpt[] {
  const out: FixtureExcerpt[] = [];
  for (const file of [...lines.keys()].sort()) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8').split('\n');
    if (text[text.length - 1] === '') text.pop();
    for (let [first, last] of windows([...lines.get(file)!], text.length)) {
      // Blank edges add nothing to read.
      while (first < last && text[first - 1]!.trim() === '') first++;
      while (last > first && text[last - 1]!.trim() === '') last--;
      out.push({ file, firstLine: first, lastLine: last, text: text.slice(first - 1, last).join('\n') });
    }
  }
  return out;
}

/** Merges ±CONTEXT windows around the given lines into non-overlapping ranges. */
function windows(lines: number[], lineCount: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  // A finding at the end of the file (an unclosed block) sits one line past the last.
  for (const n of lines.map((l) => Math.min(l, lineCount)).sort((a, b) => a - b)) {
    const first = Math.max(1, n - CONTEXT);
    const last = Math.min(lineCount, n + CONTEXT);
    const prev = out[out.length - 1];
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else if (first <= last) out.push([first, last]);
  }
  return out;
}

/**
 * For each file the firing case's findings name, the lines of the silent case that differ from it
 * (by a longest-common-subsequence line diff); the same lines as the firing case when the file is
 * unchanged, so the reader still sees the place.
 */
function changedLines(invalidDir: string, validDir: string, reference: LinesByFile): LinesByFile {
  const out: LinesByFile = new Map();
  for (const [file, refLines] of reference) {
    const before = join(invalidDir, file);
    const after = join(validDir, file);
    if (!existsSync(after)) continue;
    const changed = existsSync(before) ? diffLines(readFileSync(before, 'utf8').split('\n'), readFileSync(after, 'utf8').split('\n')) : [];
    out.set(file, new Set(changed.length && changed.length <= MAX_CHANGED_LINES ? changed : refLines));
  }
  return out;
}

/** 1-based lines of `b` that are not in a longest common subsequence with `a` (plus where deletions happened). */
export function diffLines(a: readonly string[], b: readonly string[]): number[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const changed = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      // A line only the firing case has: mark where it used to be.
      changed.add(Math.min(j + 1, m));
      i++;
    } else {
      changed.add(j + 1);
      j++;
    }
  }
  if (i < n && m > 0) changed.add(m);
  for (; j < m; j++) changed.add(j + 1);
  return [...changed].sort((x, y) => x - y);
}

/**
 * An inline suppression of the first finding of the first firing case, checked for real: the
 * directive is written into a copy of the fixture and the rule must fall silent there. Undefined
 * when a directive cannot silence the rule (e.g. `unused-suppression` itself).
 */
export function suppressionExample(fixturesDir: string, id: string, rules: readonly Rule[]): SuppressionExample | undefined {
  const dir = join(fixturesDir, id);
  const name = subdirs(dir).find((c) => c.startsWith('invalid'));
  if (!name) return undefined;
  const result = runRule(join(dir, name), id, rules);
  const first = result.findings[0];
  if (!first) return undefined;
  const at = toLocated(result, first);
  const copy = mkdtempSync(join(tmpdir(), 'arena-lint-doc-'));
  try {
    cpSync(join(dir, name), copy, { recursive: true });
    const lines = readFileSync(join(copy, at.file), 'utf8').split('\n');
    const target = lines[at.line - 1] ?? '';
    const indent = /^\s*/.exec(target)![0];
    const directive = `${indent}# arena-lint-disable-next-line ${id} -- <why this is intended>`;
    lines.splice(at.line - 1, 0, directive);
    writeFileSync(join(copy, at.file), lines.join('\n'));
    const after = runRule(copy, id, rules).findings.filter((f) => f.span.file === at.file);
    const before = result.findings.filter((f) => f.span.file === at.file);
    if (after.length !== before.length - 1) return undefined;
    return { file: at.file, text: `${directive}\n${target}` };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
