import { closeSync, fsyncSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { Fix, TextEdit } from '../core/fix.js';
import type { Span } from '../core/value.js';

/** One file's text before and after a set of fixes. */
export interface FileChange {
  /** Root-relative, `/` separated. */
  readonly path: string;
  readonly original: string;
  readonly updated: string;
  /**
   * The original as reporters see it (every secret masked, same length), for printing a diff; the
   * writer never uses it.
   */
  readonly shown?: string;
}

export interface FixPlan {
  /** Files whose text changes, sorted by path. */
  readonly files: readonly FileChange[];
  /** The fixes taken, in the order given. */
  readonly applied: readonly Fix[];
  /** Fixes left out, with why: an overlap with a fix taken before (a later pass may take it) or a broken fix. */
  readonly skipped: ReadonlyArray<{ readonly fix: Fix; readonly reason: string }>;
}

/** Raised when a fix cannot be written; no file has changed when it is thrown. */
export class FixWriteError extends Error {}

function overlaps(a: Span, b: Span): boolean {
  if (a.file !== b.file) return false;
  // Two insertions at one point, or an insertion at the start of a replacement, have no defined order.
  if (a.start === b.start) return true;
  return a.start < b.end && b.start < a.end;
}

function key(e: TextEdit): string {
  return `${e.span.file}\0${e.span.start}\0${e.span.end}\0${e.text}`;
}

/**
 * Chooses the fixes to apply together, first come first served, like ESLint's fix pass: a fix whose
 * edits overlap an edit already taken is skipped (the next pass sees the new text and may offer it
 * again); a fix whose own edits overlap, or reach past the end of a file, is broken and skipped. The same
 * fix reported twice (a file shared by two stacks) is taken once. `textOf` gives each file's text as the
 * spans were computed on.
 */
export function planFixes(fixes: readonly Fix[], textOf: (path: string) => string | undefined): FixPlan {
  const taken: TextEdit[] = [];
  const takenKeys = new Set<string>();
  const applied: Fix[] = [];
  const skipped: Array<{ fix: Fix; reason: string }> = [];
  const seenFixes = new Set<string>();
  for (const fix of fixes) {
    const fixKey = fix.edits.map(key).sort().join('\n');
    if (seenFixes.has(fixKey)) continue;
    seenFixes.add(fixKey);
    const broken = brokenReason(fix, textOf);
    if (broken) {
      skipped.push({ fix, reason: broken });
      continue;
    }
    const clash = fix.edits.some((e) => !takenKeys.has(key(e)) && taken.some((t) => overlaps(t.span, e.span)));
    if (clash) {
      skipped.push({ fix, reason: 'overlaps an edit of another fix' });
      continue;
    }
    for (const e of fix.edits) {
      if (takenKeys.has(key(e))) continue;
      takenKeys.add(key(e));
      taken.push(e);
    }
    applied.push(fix);
  }
  const byFile = new Map<string, TextEdit[]>();
  for (const e of taken) {
    const list = byFile.get(e.span.file) ?? [];
    list.push(e);
    byFile.set(e.span.file, list);
  }
  const files: FileChange[] = [];
  for (const [path, edits] of [...byFile.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const original = textOf(path)!;
    const updated = applyEdits(original, edits);
    if (updated !== original) files.push({ path, original, updated });
  }
  return { files, applied, skipped };
}

function brokenReason(fix: Fix, textOf: (path: string) => string | undefined): string | undefined {
  const edits = fix.edits;
  for (const e of edits) {
    const text = textOf(e.span.file);
    if (text === undefined) return `${e.span.file} was not read`;
    if (e.span.start < 0 || e.span.end < e.span.start || e.span.end > text.length) return `an edit reaches outside ${e.span.file}`;
  }
  for (let i = 0; i < edits.length; i++) {
    for (let j = i + 1; j < edits.length; j++) {
      const a = edits[i]!.span;
      const b = edits[j]!.span;
      // Insertions at one point inside one fix keep their order; only real overlaps are a bug.
      const bothInsert = a.start === a.end && b.start === b.end;
      if (!bothInsert && a.file === b.file && a.start < b.end && b.start < a.end) return 'its own edits overlap';
    }
  }
  return undefined;
}

/** Applies non-overlapping edits to one text; insertions at one offset keep their given order. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.span.start - b.e.span.start || a.e.span.end - b.e.span.end || a.i - b.i);
  let out = '';
  let at = 0;
  for (const { e } of sorted) {
    out += text.slice(at, e.span.start) + e.text;
    at = Math.max(at, e.span.end);
  }
  return out + text.slice(at);
}

/** The file-system calls writing needs; tests replace `rename` to simulate an interrupted write. */
export interface FixFs {
  readFile(abs: string): Buffer;
  /** Writes and flushes a new file; fails when it exists. */
  writeNew(abs: string, data: Buffer, mode: number): void;
  rename(from: string, to: string): void;
  unlink(abs: string): void;
}

export const NODE_FS: FixFs = {
  readFile: (abs) => readFileSync(abs),
  writeNew: (abs, data, mode) => {
    const fd = openSync(abs, 'wx', mode);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => renameSync(from, to),
  unlink: (abs) => unlinkSync(abs),
};

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

interface Target {
  readonly change: FileChange;
  readonly abs: string;
  readonly temp: string;
  readonly data: Buffer;
  readonly before: Buffer;
  readonly mode: number;
}

/**
 * Writes every changed file or none. Each file must still hold exactly the text the fixes were computed
 * on (so the text under every span is unchanged), must be a regular file inside the root (never a
 * symlink), and keeps its byte-order mark and mode. Each new text goes to a temporary sibling first;
 * then the siblings are renamed over the originals. When a write or a rename fails, the files already
 * renamed get their old bytes back the same way and every temporary file is removed, so a failure leaves
 * every file as it was.
 */
export function writeChanges(rootAbs: string, changes: readonly FileChange[], fs: FixFs = NODE_FS): void {
  if (changes.length === 0) return;
  const rootReal = realpathSync(rootAbs);
  const targets: Target[] = [];
  for (const [n, change] of changes.entries()) {
    if (isAbsolute(change.path) || change.path.split('/').includes('..')) throw new FixWriteError(`${change.path} is outside the checked folder`);
    const abs = join(rootAbs, change.path);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      throw new FixWriteError(`${change.path} no longer exists`);
    }
    if (!st.isFile()) throw new FixWriteError(`${change.path} is not a regular file (a symlink is never written through)`);
    const dirReal = realpathSync(dirname(abs));
    const rel = relative(rootReal, dirReal);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new FixWriteError(`${change.path} is outside the checked folder`);
    const before = fs.readFile(abs);
    const hasBom = before.subarray(0, 3).equals(BOM);
    const body = hasBom ? before.subarray(3) : before;
    if (!body.equals(Buffer.from(change.original, 'utf8'))) {
      throw new FixWriteError(`${change.path} changed since it was read; run again`);
    }
    const data = hasBom ? Buffer.concat([BOM, Buffer.from(change.updated, 'utf8')]) : Buffer.from(change.updated, 'utf8');
    const temp = join(dirname(abs), `.${basename(abs)}.arena-lint-${process.pid}-${n}.tmp`);
    targets.push({ change, abs, temp, data, before, mode: st.mode & 0o7777 });
  }

  const written: Target[] = [];
  const removeTemps = () => {
    for (const t of written) {
      try {
        fs.unlink(t.temp);
      } catch {
        // Already renamed or never created.
      }
    }
  };
  try {
    for (const t of targets) {
      written.push(t);
      fs.writeNew(t.temp, t.data, t.mode);
    }
  } catch (e) {
    removeTemps();
    throw new FixWriteError(`could not write ${written[written.length - 1]!.change.path}: ${(e as Error).message}; no file was changed`);
  }

  const renamed: Target[] = [];
  try {
    for (const t of targets) {
      fs.rename(t.temp, t.abs);
      renamed.push(t);
    }
  } catch (e) {
    const failed = targets[renamed.length]!;
    const lost = restore(renamed, fs);
    removeTemps();
    const tail = lost.length === 0 ? 'no file was changed' : `could not restore ${lost.join(', ')}`;
    throw new FixWriteError(`could not replace ${failed.change.path}: ${(e as Error).message}; ${tail}`);
  }
}

/** Puts back the old bytes of files already replaced; returns the paths it could not restore. */
function restore(renamed: readonly Target[], fs: FixFs): string[] {
  const lost: string[] = [];
  for (const t of [...renamed].reverse()) {
    const back = `${t.temp}.restore`;
    try {
      fs.writeNew(back, t.before, t.mode);
      fs.rename(back, t.abs);
    } catch {
      try {
        fs.unlink(back);
      } catch {
        // Never created.
      }
      lost.push(t.change.path);
    }
  }
  return lost;
}
