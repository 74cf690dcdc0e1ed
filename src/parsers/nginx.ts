import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import { positionAt, type SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { blockKind, HANDLER_BLOCKS, mayOpenBlock } from './nginx-directives.js';

/** One word of a directive after its name. */
export interface NginxArg {
  /** Unquoted, with escapes resolved the way nginx resolves them. */
  readonly value: string;
  /** As written, quotes included. */
  readonly raw: string;
  readonly quote: '"' | "'" | null;
  readonly span: Span;
}

export interface NginxDirective {
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: NginxArg[];
  /** From the name to the terminating `;` or the block's closing `}` inclusive. */
  span: Span;
  readonly block?: NginxDirective[];
  /** `{` .. `}` inclusive; ends at end of file when the block is never closed. */
  blockSpan?: Span;
}

export interface NginxFile {
  readonly path: string;
  readonly directives: NginxDirective[];
}

/** ngx_conf_file.c's NGX_CONF_BUFFER: a word (or comment) must fit in the read buffer. */
const CONF_BUFFER_BYTES = 4096;

interface Word {
  readonly value: string;
  readonly raw: string;
  readonly quote: '"' | "'" | null;
  readonly start: number;
  readonly end: number;
}

/** How a statement ended, as ngx_conf_read_token reports it. */
type Statement =
  | { readonly kind: 'semicolon' | 'block-start'; readonly words: Word[]; readonly at: number }
  | { readonly kind: 'block-done'; readonly at: number }
  /** Words cut short by an error (a `}` or the end of the file before `;`). */
  | { readonly kind: 'cut'; readonly words: Word[] }
  | { readonly kind: 'eof' };

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function utf8Width(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  // Each half of a surrogate pair counts 2, so the pair counts 4 like its UTF-8 encoding.
  if (code >= 0xd800 && code <= 0xdfff) return 2;
  return 3;
}

/** Resolves escapes like ngx_conf_read_token: \" \' \\ \t \r \n; any other backslash stays. */
function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\') {
      const next = s[i + 1];
      if (next === '"' || next === "'" || next === '\\') {
        out += next;
        i++;
        continue;
      }
      if (next === 't' || next === 'r' || next === 'n') {
        out += next === 't' ? '\t' : next === 'r' ? '\r' : '\n';
        i++;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/**
 * A transcription of ngx_conf_read_token's state machine over a string, with recovery added: where
 * nginx stops at an error, this reports it and carries on so the rest of the file stays usable.
 */
class Tokenizer {
  private pos = 0;
  /** UTF-8 byte offset of `pos`, for nginx's buffer-size limit. */
  private bytePos = 0;
  private readonly totalBytes: number;

  constructor(
    private readonly file: SourceFile,
    private readonly comments: Comment[],
    private readonly report: (message: string, start: number, end: number) => void,
  ) {
    let bytes = 0;
    for (let i = 0; i < file.text.length; i++) bytes += utf8Width(file.text.charCodeAt(i));
    this.totalBytes = bytes;
  }

  private line(offset: number): number {
    return positionAt(this.file, offset).line;
  }

  next(): Statement {
    const text = this.file.text;
    const words: Word[] = [];
    let needSpace = false;
    let lastSpace = true;
    let sharpComment = false;
    let variable = false;
    let quoted = false;
    /** The quote of the current word; `inQuote` while its closing quote is still to come. */
    let quote: '"' | "'" | null = null;
    let inQuote = false;
    let commentStart = this.pos;
    /** Where the word in progress begins, its opening quote included. */
    let wordStart = this.pos;
    /** nginx's `start`: what the read buffer must still hold; moves only where nginx moves it. */
    let start = this.pos;
    let startByte = this.bytePos;
    let tooLongReported = false;

    const pushWord = (end: number, contentStart: number, contentEnd: number): void => {
      const raw = text.slice(wordStart, end);
      words.push({ value: unescape(text.slice(contentStart, contentEnd)), raw, quote, start: wordStart, end });
    };

    for (;;) {
      if (this.pos >= text.length) {
        if (sharpComment) this.endComment(commentStart, text.length);
        if (words.length > 0 || !lastSpace) {
          if (!lastSpace && !needSpace) {
            // The word in progress runs to the end of the file; keep it for whatever is usable.
            const contentStart = inQuote ? wordStart + 1 : wordStart;
            pushWord(text.length, contentStart, text.length);
          }
          const first = words[0]!;
          const why = inQuote
            ? `the ${quote} quote opened on line ${this.line(words[words.length - 1]!.start)} is never closed`
            : `directive "${first.value}" on line ${this.line(first.start)} has no ";"`;
          this.report(`unexpected end of file, expecting ";" or "}" (${why})`, text.length, text.length);
          return { kind: 'cut', words };
        }
        return { kind: 'eof' };
      }

      const at = this.pos;
      const code = text.charCodeAt(at);
      const width = utf8Width(code);
      if (!tooLongReported && startByte + CONF_BUFFER_BYTES < this.totalBytes && this.bytePos + width > startByte + CONF_BUFFER_BYTES) {
        tooLongReported = true;
        const message = inQuote
          ? `too long parameter, probably missing terminating "${quote}" character`
          : `too long parameter "${this.prefixOfBytes(start, 10)}..." started`;
        this.report(message, start, at);
      }
      const ch = text[at]!;
      this.pos++;
      this.bytePos += width;

      if (ch === '\n' && sharpComment) {
        sharpComment = false;
        this.endComment(commentStart, at);
      }
      if (sharpComment) continue;
      if (quoted) {
        quoted = false;
        continue;
      }

      if (needSpace) {
        if (isSpace(ch)) {
          lastSpace = true;
          needSpace = false;
          continue;
        }
        if (ch === ';') return { kind: 'semicolon', words, at };
        if (ch === '{') return { kind: 'block-start', words, at };
        if (ch !== ')') this.report(`unexpected "${ch}"`, at, at + 1);
        // `)` closes `if ($x = "y")`; after any other character, read on as if a space came first.
        lastSpace = true;
        needSpace = false;
      }

      if (lastSpace) {
        start = at;
        startByte = this.bytePos - width;
        if (isSpace(ch)) continue;
        wordStart = at;
        quote = null;
        switch (ch) {
          case ';':
          case '{':
            if (words.length === 0) {
              this.report(`unexpected "${ch}"`, at, at + 1);
              // A stray `;` is skipped; a stray `{` still opens a block so its `}` is not unbalanced.
              if (ch === ';') continue;
            }
            return { kind: ch === '{' ? 'block-start' : 'semicolon', words, at };
          case '}':
            if (words.length !== 0) {
              this.report('unexpected "}"', at, at + 1);
              // Leave the `}` to close the block on the next read.
              this.pos = at;
              this.bytePos -= width;
              return { kind: 'cut', words };
            }
            return { kind: 'block-done', at };
          case '#':
            sharpComment = true;
            commentStart = at;
            continue;
          case '\\':
            quoted = true;
            lastSpace = false;
            continue;
          case '"':
          case "'":
            quote = ch;
            inQuote = true;
            start++;
            startByte++;
            lastSpace = false;
            continue;
          case '$':
            variable = true;
            lastSpace = false;
            continue;
          default:
            lastSpace = false;
        }
      } else {
        // `${` keeps the brace in the word: that is how `${var}` and envsubst templates parse.
        if (ch === '{' && variable) continue;
        variable = false;
        if (ch === '\\') {
          quoted = true;
          continue;
        }
        if (ch === '$') {
          variable = true;
          continue;
        }
        if (inQuote) {
          if (ch === quote) {
            pushWord(at + 1, wordStart + 1, at);
            inQuote = false;
            needSpace = true;
          }
        } else if (isSpace(ch) || ch === ';' || ch === '{') {
          pushWord(at, wordStart, at);
          lastSpace = true;
          if (ch === ';') return { kind: 'semicolon', words, at };
          if (ch === '{') return { kind: 'block-start', words, at };
        }
      }
    }
  }

  /** The characters from `start` that fit in `bytes` UTF-8 bytes: nginx quotes a word by bytes. */
  private prefixOfBytes(start: number, bytes: number): string {
    const text = this.file.text;
    let end = start;
    for (let used = 0; end < text.length; end++) {
      used += utf8Width(text.charCodeAt(end));
      if (used > bytes) break;
    }
    return text.slice(start, end);
  }

  /** `start` is the `#`; `end` the `\n` or the end of the file. */
  private endComment(start: number, end: number): void {
    const text = this.file.text;
    const stop = end > start + 1 && text[end - 1] === '\r' ? end - 1 : end;
    this.comments.push({ text: text.slice(start + 1, stop), span: { file: this.file.path, start, end: stop } });
  }
}

interface Frame {
  /** Undefined for the file itself and for a block opened by a stray `{`. */
  readonly directive: NginxDirective | undefined;
  readonly children: NginxDirective[];
  /** The name of the nearest enclosing directive, stray blocks skipped. */
  readonly context: string | undefined;
}

/**
 * Parses an nginx configuration file with nginx's own tokenizing rules, every word positioned.
 * Never throws. Like `nginx -t`, it reports only the first syntax error; it then recovers as best it
 * can so the directives around the error are still there for rules.
 */
export function parseNginx(file: SourceFile): ParseResult<NginxFile> {
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  const span = (start: number, end: number): Span => ({ file: file.path, start, end });
  const line = (offset: number): number => positionAt(file, offset).line;
  const report = (message: string, start: number, end: number): void => {
    // nginx stops at its first error; anything after it would be a consequence, not news.
    if (problems.length === 0) problems.push({ message, span: span(start, end) });
  };
  const tokenizer = new Tokenizer(file, comments, report);

  const root: Frame = { directive: undefined, children: [], context: undefined };
  const stack: Frame[] = [root];
  const current = (): Frame => stack[stack.length - 1]!;
  const parentName = (): string | undefined => current().context;
  const inHandlerBlock = (): boolean => {
    const d = current().directive;
    return d !== undefined && HANDLER_BLOCKS.has(d.name);
  };

  /** Pops the innermost block, ending it at `end`; a stray `{`'s contents go to the enclosing block. */
  const closeBlock = (end: number): void => {
    const frame = stack.pop()!;
    if (frame.directive) {
      frame.directive.span = span(frame.directive.span.start, end);
      frame.directive.blockSpan = span(frame.directive.blockSpan!.start, end);
    } else {
      current().children.push(...frame.children);
    }
  };

  const toDirective = (words: readonly Word[], end: number, withBlock: boolean): NginxDirective => {
    const [name, ...rest] = words as [Word, ...Word[]];
    const d: NginxDirective = {
      name: name.value,
      nameSpan: span(name.start, name.end),
      args: rest.map((w) => ({ value: w.value, raw: w.raw, quote: w.quote, span: span(w.start, w.end) })),
      span: span(name.start, end),
    };
    return withBlock ? { ...d, block: [] } : d;
  };

  /**
   * A `{` after a directive that takes no block (known as such, or unknown with words running over
   * several lines): nginx says the first directive "is not terminated by ;". Splits off the block
   * header so the block keeps its own name: the last word that starts a line and names a block,
   * else the words of the last line.
   */
  const splitRunOn = (words: Word[], braceAt: number): { runOn?: Word[]; header: Word[] } => {
    const parent = parentName();
    const name = words[0]!;
    const simple = blockKind(name.value, parent) === 'simple';
    if (!simple && (mayOpenBlock(name.value, parent) || line(name.start) === line(braceAt))) return { header: words };
    report(
      `directive "${name.value}" is not terminated by ";" (nginx reads on to the "{" on line ${line(braceAt)})`,
      name.start,
      name.end,
    );
    const startsLine = (i: number): boolean => i > 0 && line(words[i]!.start) !== line(words[i - 1]!.end);
    let cut = -1;
    for (let i = words.length - 1; i > 0 && cut < 0; i--) {
      if (startsLine(i) && mayOpenBlock(words[i]!.value, parent)) cut = i;
    }
    for (let i = words.length - 1; i > 0 && cut < 0; i--) {
      if (startsLine(i)) cut = i;
    }
    return cut < 0 ? { header: words } : { runOn: words.slice(0, cut), header: words.slice(cut) };
  };

  for (;;) {
    const st = tokenizer.next();
    if (st.kind === 'eof') break;
    if (st.kind === 'cut') {
      current().children.push(toDirective(st.words, st.words[st.words.length - 1]!.end, false));
      continue;
    }
    if (st.kind === 'block-done') {
      if (stack.length === 1) {
        report('unexpected "}"', st.at, st.at + 1);
        continue;
      }
      closeBlock(st.at + 1);
      continue;
    }
    if (st.kind === 'semicolon') {
      const d = toDirective(st.words, st.at + 1, false);
      if (!inHandlerBlock() && blockKind(d.name, parentName()) === 'block') {
        report(`directive "${d.name}" has no opening "{" (nginx reads on to the ";" on line ${line(st.at)})`, d.nameSpan.start, d.nameSpan.end);
      }
      current().children.push(d);
      continue;
    }
    // block-start
    if (st.words.length === 0) {
      stack.push({ directive: undefined, children: [], context: parentName() });
      continue;
    }
    let header = st.words;
    if (inHandlerBlock()) {
      report('unexpected "{"', st.at, st.at + 1);
    } else {
      const split = splitRunOn(st.words, st.at);
      if (split.runOn) current().children.push(toDirective(split.runOn, split.runOn[split.runOn.length - 1]!.end, false));
      header = split.header;
    }
    const d = toDirective(header, st.at + 1, true);
    d.blockSpan = span(st.at, st.at + 1);
    current().children.push(d);
    stack.push({ directive: d, children: d.block!, context: d.name });
  }

  if (stack.length > 1) {
    const open = [...stack].reverse().find((f) => f.directive)?.directive;
    const what = open ? `the "${open.name}" block opened on line ${line(open.blockSpan!.start)} is not closed` : 'a "{" is not closed';
    report(`unexpected end of file, expecting "}" (${what})`, file.text.length, file.text.length);
    while (stack.length > 1) closeBlock(file.text.length);
  }

  return { doc: { path: file.path, directives: root.children }, problems, comments };
}

/**
 * Walks every directive depth-first with its ancestors (outermost first).
 * `ancestors` is the walk's own path, valid during the call: copy it to keep it. Sharing one path
 * keeps the walk linear however deeply a file nests, where a copy per block would be quadratic.
 */
export function walkNginx(
  dirs: readonly NginxDirective[],
  visit: (d: NginxDirective, ancestors: readonly NginxDirective[]) => void,
): void {
  // An explicit stack, so a pathologically deep file cannot overflow the call stack. Each entry is
  // a directive list being walked and the index of its next directive; `path[i]` owns `lists[i + 1]`.
  const path: NginxDirective[] = [];
  const lists: { dirs: readonly NginxDirective[]; next: number }[] = [{ dirs, next: 0 }];
  while (lists.length > 0) {
    const top = lists[lists.length - 1]!;
    const d = top.dirs[top.next++];
    if (!d) {
      lists.pop();
      path.pop();
      continue;
    }
    visit(d, path);
    if (d.block) {
      path.push(d);
      lists.push({ dirs: d.block, next: 0 });
    }
  }
}
