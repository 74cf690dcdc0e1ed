import type { Comment, ParseProblem } from '../core/problem.js';
import type { Span } from '../core/value.js';
import { MappedTextBuilder, rangeOf, type MappedText } from './mapped-text.js';

/*
 * A POSIX shell tokenizer for reading scripts statically: words after quote removal (every character
 * mapped back to the source), operators, redirections and heredoc bodies. Expansions (`$NAME`,
 * `${...}`, `$(...)`, backticks) are kept as written and marked unknown; readers that know the
 * variables (the entrypoint reader) evaluate them again from the recorded substitutions.
 * Shared by the host-script sysctl scanner and the container start-script reader.
 */

/** A shell word after quote removal; every character maps back to the source. */
export interface Word {
  readonly text: MappedText;
  /** Where the word starts in the source, for problems about it. */
  readonly at: Span;
  /** Any quoting or escaping: `<<'EOF'` turns off expansion in the heredoc body. */
  readonly quoted: boolean;
}

export interface Heredoc {
  readonly body: MappedText;
}

export type Token =
  | { readonly kind: 'word'; readonly word: Word }
  | { readonly kind: 'op'; readonly op: string; readonly at: Span; heredoc?: Heredoc }
  | { readonly kind: 'break' };

export interface Redirect {
  readonly op: string;
  readonly target?: Word;
  readonly heredoc?: Heredoc;
}

export interface Command {
  readonly words: Word[];
  readonly redirects: Redirect[];
}

export const REDIRECT_OPS = ['&>>', '<<-', '<<<', '>>', '>|', '<<', '<>', '>&', '<&', '&>', '>', '<'];
export const SEPARATOR_OPS = ['&&', '||', ';;', '|&', '|', ';', '&', '(', ')'];
const OPERATORS = [...REDIRECT_OPS, ...SEPARATOR_OPS].sort((a, b) => b.length - a.length);
export const DYNAMIC = 'set when the script runs';

const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\r';
const isNameChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_]/.test(ch);

export class Lexer {
  private i = 0;
  private readonly tokens: Token[] = [];
  private pendingHeredocs: { token: Extract<Token, { kind: 'op' }>; delimiter: string; expand: boolean; stripTabs: boolean }[] = [];

  constructor(
    private readonly src: MappedText,
    private readonly problems: ParseProblem[],
    private readonly comments: Comment[] | undefined,
    /** The whole text came out of an expansion of an outer shell (`sh -c "$X ..."`). */
    private readonly dynamic: boolean,
  ) {}

  private span(from: number, to = from + 1): Span {
    return rangeOf(this.src, Math.min(from, this.src.text.length - 1), Math.min(Math.max(to, from + 1), this.src.text.length)).span;
  }

  run(): Token[] {
    const t = this.src.text;
    while (this.i < t.length) {
      const ch = t[this.i]!;
      if (isBlank(ch)) {
        this.i++;
      } else if (ch === '\\' && t[this.i + 1] === '\n') {
        this.i += 2;
      } else if (ch === '\n') {
        this.i++;
        this.tokens.push({ kind: 'break' });
        this.readHeredocBodies();
      } else if (ch === '#') {
        this.readComment();
      } else {
        const op = OPERATORS.find((o) => t.startsWith(o, this.i));
        if (op !== undefined) {
          const token: Extract<Token, { kind: 'op' }> = { kind: 'op', op, at: this.span(this.i, this.i + op.length) };
          this.i += op.length;
          this.tokens.push(token);
          if (op === '<<' || op === '<<-') this.readHeredocDelimiter(token, op === '<<-');
        } else {
          this.readWordToken();
        }
      }
    }
    for (const h of this.pendingHeredocs) {
      this.problems.push({ message: `heredoc is never closed by a "${h.delimiter}" line`, span: h.token.at });
    }
    return this.tokens;
  }

  private readComment(): void {
    const t = this.src.text;
    const start = this.i;
    let end = t.indexOf('\n', start);
    if (end < 0) end = t.length;
    this.i = end;
    let textEnd = end;
    while (textEnd > start + 1 && isBlank(t[textEnd - 1])) textEnd--;
    // The shebang names the interpreter; it is not a comment anyone writes suppressions in.
    const isShebang = t.startsWith('#!', start) && this.src.srcStart[start] === 0;
    if (!isShebang) this.comments?.push({ text: t.slice(start + 1, textEnd).trim(), span: this.span(start, textEnd) });
  }

  private readWordToken(): void {
    const t = this.src.text;
    const start = this.i;
    const word = this.readWord();
    // `2>file`, `1>>log`: digits touching a redirection are a file descriptor, not a word.
    if (/^\d+$/.test(t.slice(start, this.i)) && (t[this.i] === '>' || t[this.i] === '<')) return;
    this.tokens.push({ kind: 'word', word });
  }

  private readWord(): Word {
    const t = this.src.text;
    const start = this.i;
    const b = new MappedTextBuilder(this.src.file, this.span(start, start));
    let quoted = false;
    const literal = (from: number, to: number): void => {
      b.pushMapped(this.src, from, to);
    };
    while (this.i < t.length) {
      const ch = t[this.i]!;
      if (isBlank(ch) || ch === '\n') break;
      if (OPERATORS.some((o) => t.startsWith(o, this.i))) break;
      if (ch === '\\') {
        quoted = true;
        if (t[this.i + 1] === '\n') {
          this.i += 2;
        } else if (this.i + 1 < t.length) {
          literal(this.i + 1, this.i + 2);
          this.i += 2;
        } else {
          this.i++;
        }
      } else if (ch === "'") {
        quoted = true;
        const close = t.indexOf("'", this.i + 1);
        if (close < 0) {
          this.problems.push({ message: 'unterminated single quote', span: this.span(this.i) });
          literal(this.i + 1, t.length);
          this.i = t.length;
        } else {
          literal(this.i + 1, close);
          this.i = close + 1;
        }
      } else if (ch === '"') {
        quoted = true;
        this.readDoubleQuoted(b);
      } else if (ch === '$' || ch === '`') {
        this.readExpansion(b);
      } else {
        literal(this.i, this.i + 1);
        this.i++;
      }
    }
    const text = b.build();
    return { text: this.dynamic ? taint(text) : text, at: this.span(start, this.i), quoted };
  }

  private readDoubleQuoted(b: MappedTextBuilder): void {
    const t = this.src.text;
    const open = this.i;
    this.i++;
    while (this.i < t.length && t[this.i] !== '"') {
      const ch = t[this.i]!;
      if (ch === '\\' && this.i + 1 < t.length) {
        const next = t[this.i + 1]!;
        if (next === '\n') {
          this.i += 2;
        } else if ('$`"\\'.includes(next)) {
          b.pushMapped(this.src, this.i + 1, this.i + 2);
          this.i += 2;
        } else {
          b.pushMapped(this.src, this.i, this.i + 1);
          this.i++;
        }
      } else if (ch === '$' || ch === '`') {
        this.readExpansion(b);
      } else {
        b.pushMapped(this.src, this.i, this.i + 1);
        this.i++;
      }
    }
    if (this.i >= t.length) {
      this.problems.push({ message: 'unterminated double quote', span: this.span(open) });
    } else {
      this.i++;
    }
  }

  /** `$NAME`, `${...}`, `$(...)`, `$((...))`, backticks: kept as written but marked as unknown. */
  private readExpansion(b: MappedTextBuilder): void {
    const t = this.src.text;
    const start = this.i;
    const end = expansionEnd(t, start);
    if (end === start + 1) {
      // A `$` followed by nothing expandable is a literal dollar sign.
      b.pushMapped(this.src, start, end);
    } else {
      const raw = t.slice(start, end);
      const range = rangeOf(this.src, start, end);
      b.pushSubstitution(raw, range.span.start, range.span.end, [], `${raw} is ${DYNAMIC}`);
    }
    this.i = end;
  }

  private readHeredocDelimiter(token: Extract<Token, { kind: 'op' }>, stripTabs: boolean): void {
    const t = this.src.text;
    while (this.i < t.length && isBlank(t[this.i])) this.i++;
    if (this.i >= t.length || t[this.i] === '\n') {
      this.problems.push({ message: 'heredoc without a delimiter word', span: token.at });
      return;
    }
    const word = this.readWord();
    this.pendingHeredocs.push({ token, delimiter: word.text.text, expand: !word.quoted, stripTabs });
  }

  /** Heredoc bodies start on the line after the command that opened them, in the order they were opened. */
  private readHeredocBodies(): void {
    const t = this.src.text;
    const pending = this.pendingHeredocs;
    this.pendingHeredocs = [];
    for (let n = 0; n < pending.length; n++) {
      const h = pending[n]!;
      const b = new MappedTextBuilder(this.src.file, this.span(this.i, this.i));
      let closed = false;
      while (this.i < t.length) {
        let lineStart = this.i;
        let lineEnd = t.indexOf('\n', lineStart);
        if (lineEnd < 0) lineEnd = t.length;
        if (h.stripTabs) while (lineStart < lineEnd && t[lineStart] === '\t') lineStart++;
        this.i = Math.min(lineEnd + 1, t.length);
        if (t.slice(lineStart, lineEnd).replace(/\r$/, '') === h.delimiter) {
          closed = true;
          break;
        }
        this.pushBodyLine(b, lineStart, lineEnd, h.expand);
        if (lineEnd < t.length) b.pushMapped(this.src, lineEnd, lineEnd + 1);
      }
      h.token.heredoc = { body: this.dynamic ? taint(b.build()) : b.build() };
      if (!closed) {
        for (const rest of pending.slice(n)) {
          this.problems.push({ message: `heredoc is never closed by a "${rest.delimiter}" line`, span: rest.token.at });
        }
        return;
      }
    }
  }

  private pushBodyLine(b: MappedTextBuilder, from: number, to: number, expand: boolean): void {
    const t = this.src.text;
    if (!expand) {
      b.pushMapped(this.src, from, to);
      return;
    }
    let i = from;
    while (i < to) {
      const ch = t[i]!;
      if (ch === '\\' && i + 1 < to && '$`\\'.includes(t[i + 1]!)) {
        b.pushMapped(this.src, i + 1, i + 2);
        i += 2;
      } else if (ch === '$' || ch === '`') {
        const end = Math.min(expansionEnd(t, i), to);
        if (end === i + 1) {
          b.pushMapped(this.src, i, end);
        } else {
          const range = rangeOf(this.src, i, end);
          b.pushSubstitution(t.slice(i, end), range.span.start, range.span.end, [], `${t.slice(i, end)} is ${DYNAMIC}`);
        }
        i = end;
      } else {
        b.pushMapped(this.src, i, i + 1);
        i++;
      }
    }
  }
}

/** Where an expansion starting at `start` (a `$` or a backtick) ends. */
export function expansionEnd(t: string, start: number): number {
  if (t[start] === '`') {
    let i = start + 1;
    while (i < t.length && t[i] !== '`') i += t[i] === '\\' ? 2 : 1;
    return Math.min(i + 1, t.length);
  }
  const next = t[start + 1];
  if (next === '{' || next === '(') {
    const close = next === '{' ? '}' : ')';
    let depth = 0;
    let i = start + 1;
    while (i < t.length) {
      const ch = t[i]!;
      if (ch === '\\') i++;
      else if (ch === "'" && close === ')') {
        const q = t.indexOf("'", i + 1);
        i = q < 0 ? t.length : q;
      } else if (ch === next) depth++;
      else if (ch === close && --depth === 0) return i + 1;
      i++;
    }
    return t.length;
  }
  if (next !== undefined && /[A-Za-z_]/.test(next)) {
    let i = start + 2;
    while (isNameChar(t[i])) i++;
    return i;
  }
  if (next !== undefined && /[0-9@*#?$!-]/.test(next)) return start + 2;
  return start + 1;
}

/** Marks a whole text as unknown: it came out of an outer expansion. */
function taint(m: MappedText): MappedText {
  if (m.text.length === 0) return m;
  return { ...m, substitutions: [...m.substitutions, { start: 0, end: m.text.length, source: m.whole, via: [], unknownReason: `the command string is ${DYNAMIC}` }] };
}

/** Splits tokens into pipelines of simple commands; `&&`, `||`, `;`, newlines and parentheses end a pipeline. */
export function pipelines(tokens: readonly Token[]): Command[][] {
  const out: Command[][] = [];
  let pipeline: Command[] = [];
  let command: Command = { words: [], redirects: [] };
  const endCommand = (): void => {
    if (command.words.length > 0 || command.redirects.length > 0) pipeline.push(command);
    command = { words: [], redirects: [] };
  };
  const endPipeline = (): void => {
    endCommand();
    if (pipeline.length > 0) out.push(pipeline);
    pipeline = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.kind === 'word') {
      command.words.push(tok.word);
    } else if (tok.kind === 'break') {
      endPipeline();
    } else if (tok.op === '|' || tok.op === '|&') {
      endCommand();
    } else if (REDIRECT_OPS.includes(tok.op)) {
      if (tok.heredoc !== undefined || tok.op === '<<' || tok.op === '<<-') {
        // The delimiter word was consumed by the lexer; the body is on the token.
        command.redirects.push(tok.heredoc ? { op: tok.op, heredoc: tok.heredoc } : { op: tok.op });
      } else {
        const next = tokens[i + 1];
        if (next?.kind === 'word') {
          command.redirects.push({ op: tok.op, target: next.word });
          i++;
        } else {
          command.redirects.push({ op: tok.op });
        }
      }
    } else {
      endPipeline();
    }
  }
  endPipeline();
  return out;
}

