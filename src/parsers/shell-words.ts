import { known, unknown, type Value } from '../core/value.js';
import { MappedTextBuilder, rangeOf, type MappedText } from './mapped-text.js';

/** One word of a command line, still mapped to the source so it can be split again (`sh -c "..."`). */
export interface ShellWord {
  readonly value: Value<string>;
  readonly text: MappedText;
  /** `;`, `&&`, `||`, `|`, `&` or a newline outside quotes; separates simple commands. */
  readonly operator: boolean;
}

/**
 * POSIX-shell word splitting without any expansion: quotes and backslashes are removed, nothing is run.
 * Compose splits a string `command:` the same way (shlex).
 */
export function splitShellWords(m: MappedText): ShellWord[] {
  const words: ShellWord[] = [];
  const t = m.text;
  // Without substitutions a run of characters is copied in one go; with them, one character at a
  // time, as each character's piece of a substitution is then recorded on its own.
  const whole = m.substitutions.length === 0;
  const run = (b: MappedTextBuilder, from: number, to: number) => {
    if (whole) b.pushMapped(m, from, to);
    else for (let k = from; k < to; k++) b.pushMapped(m, k, k + 1);
  };
  let cur: MappedTextBuilder | undefined;
  const start = () => (cur ??= new MappedTextBuilder(m.file, m.whole));
  const flush = () => {
    if (!cur) return;
    const text = cur.build();
    cur = undefined;
    words.push({ value: valueOf(text), text, operator: false });
  };
  const operator = (from: number, to: number) => {
    flush();
    const b = new MappedTextBuilder(m.file, m.whole);
    b.pushMapped(m, from, to);
    const text = b.build();
    words.push({ value: valueOf(text), text, operator: true });
  };
  let i = 0;
  while (i < t.length) {
    const ch = t[i]!;
    if (ch === '\n') {
      operator(i, i + 1);
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      flush();
      i++;
    } else if (ch === '\\') {
      if (t[i + 1] === '\n') {
        // Line continuation.
        i += 2;
        continue;
      }
      const b = start();
      if (i + 1 < t.length) b.pushMapped(m, i + 1, i + 2);
      i += 2;
    } else if (ch === "'") {
      const b = start();
      const close = t.indexOf("'", i + 1);
      const end = close < 0 ? t.length : close;
      b.pushMapped(m, i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      const b = start();
      i++;
      while (i < t.length && t[i] !== '"') {
        if (t[i] === '\\' && i + 1 < t.length && '$`"\\\n'.includes(t[i + 1]!)) {
          if (t[i + 1] !== '\n') b.pushMapped(m, i + 1, i + 2);
          i += 2;
        } else {
          let j = i + 1;
          while (j < t.length && t[j] !== '"' && t[j] !== '\\') j++;
          run(b, i, j);
          i = j;
        }
      }
      i++;
    } else if (ch === ';' || ch === '|' || ch === '&') {
      const two = t.slice(i, i + 2);
      const len = two === '&&' || two === '||' ? 2 : 1;
      operator(i, i + len);
      i += len;
    } else if (ch === '#' && !cur) {
      // A comment runs to the end of the line.
      while (i < t.length && t[i] !== '\n') i++;
    } else {
      // A word's characters up to the next one the shell treats specially (`#` is plain inside a word).
      let j = i + 1;
      while (j < t.length && !SPECIAL.has(t[j]!)) j++;
      run(start(), i, j);
      i = j;
    }
  }
  flush();
  return words;
}

/** Characters that end a run of plain word characters. */
const SPECIAL = new Set(['\n', ' ', '\t', '\r', '\\', "'", '"', ';', '|', '&']);

function valueOf(text: MappedText): Value<string> {
  const r = rangeOf(text, 0, text.text.length);
  if (r.unknownReason !== undefined) return unknown(r.unknownReason, r.span);
  return known(text.text, r.span, { via: r.via });
}

/** Splits words into simple commands at shell operators. */
export function simpleCommands(words: readonly ShellWord[]): ShellWord[][] {
  const out: ShellWord[][] = [];
  let cur: ShellWord[] = [];
  for (const w of words) {
    if (w.operator) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(w);
  }
  if (cur.length) out.push(cur);
  return out;
}

export function wordsFromList(items: readonly MappedText[]): ShellWord[] {
  return items.map((text) => ({ value: valueOf(text), text, operator: false }));
}
