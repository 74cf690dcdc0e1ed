import { insertAt, type TextEdit } from '../core/fix.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { eolOf, indentAt, lineContentEnd, lineStart, nextLineStart } from './text.js';

/**
 * Python source edited as text, never executed: enough of the lexer to skip strings and comments while
 * matching brackets in a settings file's dict literals.
 */
function skipString(text: string, i: number): number {
  const q = text[i]!;
  const triple = text.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  let j = i + close.length;
  while (j < text.length) {
    if (text[j] === '\\') {
      j += 2;
      continue;
    }
    if (text.startsWith(close, j)) return j + close.length;
    if (!triple && text[j] === '\n') return j;
    j++;
  }
  return j;
}

/** The offset of the bracket closing the one at `open`, or -1. */
export function matchingBracket(text: string, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      i = skipString(text, i) - 1;
      continue;
    }
    if (ch === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return -1;
      i = nl;
      continue;
    }
    if (pairs[ch]) stack.push(pairs[ch]);
    else if (ch === '}' || ch === ']' || ch === ')') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** The end of a line's code, before a trailing `# comment` and blanks. */
function codeEnd(text: string, from: number, to: number): number {
  let end = from;
  for (let i = from; i < to; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      i = skipString(text, i) - 1;
      end = i + 1;
      continue;
    }
    if (ch === '#') break;
    if (ch !== ' ' && ch !== '\t' && ch !== '\r') end = i + 1;
  }
  return end;
}

/**
 * Adds `key: value` to the dict literal that is the value of the key at `keySpan` (`"default": {...}` in
 * DATABASES), as the last entry, on its own line indented like the others and quoted like the key; a
 * missing comma after the entry before is added. Undefined when the value is not a dict literal.
 */
export function addDictEntry(file: SourceFile, keySpan: Span, key: string, value: string): TextEdit[] | undefined {
  const text = file.text;
  const m = /^\s*:\s*\{/.exec(text.slice(keySpan.end));
  if (!m) return undefined;
  const open = keySpan.end + m[0].length - 1;
  const close = matchingBracket(text, open);
  if (close < 0) return undefined;
  const q = text[keySpan.start] === "'" ? "'" : '"';
  const entry = `${q}${key}${q}: ${value}`;
  const inner = text.slice(open + 1, close);
  if (!inner.includes('\n')) {
    const body = inner.trim();
    const sep = body === '' ? '' : body.endsWith(',') ? ' ' : ', ';
    const at = open + 1 + inner.trimEnd().length;
    return [insertAt(file.path, at, `${body === '' ? '' : sep}${entry}`)];
  }
  // The last line before the closing brace that holds code.
  let lastCodeEnd = -1;
  let firstEntryLine = -1;
  const closeLine = lineStart(text, close);
  for (let ls = nextLineStart(text, open); ls < closeLine; ls = nextLineStart(text, ls)) {
    const ce = codeEnd(text, ls, lineContentEnd(text, ls));
    if (ce > ls && text.slice(ls, ce).trim() !== '') {
      if (firstEntryLine < 0) firstEntryLine = ls;
      lastCodeEnd = ce;
    }
  }
  if (text.slice(closeLine, close).trim() !== '') return undefined;
  const eol = eolOf(text);
  const indent = firstEntryLine >= 0 ? indentAt(text, firstEntryLine) : `${indentAt(text, close)}    `;
  const edits: TextEdit[] = [];
  if (lastCodeEnd >= 0 && !/[,{]$/.test(text.slice(0, lastCodeEnd))) edits.push(insertAt(file.path, lastCodeEnd, ','));
  edits.push(insertAt(file.path, closeLine, `${indent}${entry},${eol}`));
  return edits;
}

/** Python's literal spellings of a false value, the only ones a fix rewrites. */
export function isFalseLiteral(source: string): boolean {
  return /^(False|None|0|""|'')$/.test(source.trim());
}

/**
 * Removes the dict entry whose value is at `valueSpan` (`"options": "-c ..."`): its whole line when it
 * stands alone, else the entry and one comma beside it. Undefined when the key is not a string literal
 * right before the value.
 */
export function removeDictEntry(file: SourceFile, valueSpan: Span): TextEdit | undefined {
  const text = file.text;
  const ls = lineStart(text, valueSpan.start);
  const before = /(["'])[^"'\n]*\1\s*:\s*$/.exec(text.slice(ls, valueSpan.start));
  if (!before) return undefined;
  const start = ls + before.index;
  const rest = text.slice(valueSpan.end, lineContentEnd(text, valueSpan.end));
  const trailing = /^\s*,?\s*(#.*)?$/.exec(rest);
  if (trailing && text.slice(ls, start).trim() === '') {
    return { span: { file: file.path, start: ls, end: nextLineStart(text, valueSpan.end) }, text: '' };
  }
  const comma = /^\s*,\s*/.exec(rest);
  if (comma) return { span: { file: file.path, start, end: valueSpan.end + comma[0].length }, text: '' };
  const prev = /,\s*$/.exec(text.slice(ls, start));
  if (prev) return { span: { file: file.path, start: ls + prev.index, end: valueSpan.end }, text: '' };
  return { span: { file: file.path, start, end: valueSpan.end }, text: '' };
}
