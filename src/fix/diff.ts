import type { FileChange } from './apply.js';

const CONTEXT = 3;
/** Above this many cells the line-matching table is not built; the changed middle is shown whole. */
const MAX_CELLS = 8_000_000;

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string; readonly at?: number };

/** Splits into lines keeping each line's own ending, so CRLF files diff as they are. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const out = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return out;
}

/** The line operations turning `a` into `b`: common prefix and suffix, then a longest common subsequence. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const middle: Op[] = [];
  if ((am.length + 1) * (bm.length + 1) > MAX_CELLS) {
    for (const l of am) middle.push({ kind: '-', line: l });
    for (const l of bm) middle.push({ kind: '+', line: l });
  } else {
    const w = bm.length + 1;
    const lcs = new Uint32Array((am.length + 1) * w);
    for (let i = am.length - 1; i >= 0; i--) {
      for (let j = bm.length - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < am.length || j < bm.length) {
      if (i < am.length && j < bm.length && am[i] === bm[j]) {
        middle.push({ kind: ' ', line: am[i]! });
        i++;
        j++;
      } else if (i < am.length && (j === bm.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        middle.push({ kind: '-', line: am[i]! });
        i++;
      } else {
        middle.push({ kind: '+', line: bm[j]! });
        j++;
      }
    }
  }
  return [...a.slice(0, pre).map((line) => ({ kind: ' ' as const, line })), ...middle, ...a.slice(a.length - suf).map((line) => ({ kind: ' ' as const, line }))];
}

/**
 * Lines as printed: a line of the original comes from its masked copy (`shown`, same offsets); an
 * added line that repeats an original line is printed like it, any other through `scrub`.
 */
function displayed(change: FileChange, ops: Op[], scrub: (s: string) => string): Op[] {
  if (change.shown === undefined || change.shown === change.original) return ops.map((o) => (o.kind === '+' ? { ...o, line: scrub(o.line) } : o));
  const raw = splitLines(change.original);
  const shown = splitLines(change.shown);
  const masked = new Map<string, string>();
  raw.forEach((l, i) => masked.set(l, shown[i] ?? l));
  return ops.map((o) => ({ ...o, line: o.kind === '+' ? masked.get(o.line) ?? scrub(o.line) : masked.get(o.line) ?? scrub(o.line) }));
}

function show(op: Op): string {
  const body = op.line.endsWith('\n') ? op.line.slice(0, -1) : op.line;
  const out = `${op.kind}${body}\n`;
  return op.line.endsWith('\n') ? out : `${out}\\ No newline at end of file\n`;
}

/** One file's change as a unified diff (`--- a/path`, `+++ b/path`, hunks with 3 lines of context), as git prints it. */
export function unifiedDiff(change: FileChange, scrub: (line: string) => string = (l) => l): string {
  const ops = displayed(change, diffLines(splitLines(change.original), splitLines(change.updated)), scrub);
  const changed = ops.map((o, i) => (o.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  let out = `--- a/${change.path}\n+++ b/${change.path}\n`;
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - CONTEXT);
    let last = changed[k]!;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * CONTEXT) last = changed[++k]!;
    k++;
    const to = Math.min(ops.length - 1, last + CONTEXT);
    let oldStart = 1;
    let newStart = 1;
    for (let i = 0; i < from; i++) {
      if (ops[i]!.kind !== '+') oldStart++;
      if (ops[i]!.kind !== '-') newStart++;
    }
    const hunk = ops.slice(from, to + 1);
    const oldLen = hunk.filter((o) => o.kind !== '+').length;
    const newLen = hunk.filter((o) => o.kind !== '-').length;
    const range = (start: number, len: number) => (len === 1 ? `${start}` : `${len === 0 ? start - 1 : start},${len}`);
    out += `@@ -${range(oldStart, oldLen)} +${range(newStart, newLen)} @@\n${hunk.map(show).join('')}`;
  }
  return out;
}

/** Every change as one unified diff, files in path order. */
export function unifiedDiffs(changes: readonly FileChange[], scrub?: (line: string) => string): string {
  return changes.map((c) => unifiedDiff(c, scrub)).join('');
}
