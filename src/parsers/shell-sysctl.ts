import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import { known, spanUnion, type Span } from '../core/value.js';
import { literalText, MappedTextBuilder, rangeOf, type MappedText } from './mapped-text.js';
import { looksLikeSysctlFile, normalizeSysctlKey, parseSysctlLine, sysctlSettingFromLine, type ScriptTarget, type SysctlSetting } from './sysctl.js';
import { own } from '../core/own.js';

/*
 * Finds the sysctls a host preparation script sets, without running it. This is not a shell
 * parser: it tokenizes POSIX shell well enough to recognise the handful of forms people use
 * (`sysctl -w k=v`, text appended to a sysctl file with echo, printf, tee or a heredoc, and writes
 * under /proc/sys) and ignores everything else. Values built from `$VAR`, `$(...)` or backticks are
 * only known when the script runs, so settings that depend on them are left out.
 */

/** A shell word after quote removal; every character maps back to the source. */
interface Word {
  readonly text: MappedText;
  /** Where the word starts in the source, for problems about it. */
  readonly at: Span;
  /** Any quoting or escaping: `<<'EOF'` turns off expansion in the heredoc body. */
  readonly quoted: boolean;
}

interface Heredoc {
  readonly body: MappedText;
}

type Token =
  | { readonly kind: 'word'; readonly word: Word }
  | { readonly kind: 'op'; readonly op: string; readonly at: Span; heredoc?: Heredoc }
  | { readonly kind: 'break' };

interface Redirect {
  readonly op: string;
  readonly target?: Word;
  readonly heredoc?: Heredoc;
}

interface Command {
  readonly words: Word[];
  readonly redirects: Redirect[];
}

const REDIRECT_OPS = ['&>>', '<<-', '<<<', '>>', '>|', '<<', '<>', '>&', '<&', '&>', '>', '<'];
const SEPARATOR_OPS = ['&&', '||', ';;', '|&', '|', ';', '&', '(', ')'];
const OPERATORS = [...REDIRECT_OPS, ...SEPARATOR_OPS].sort((a, b) => b.length - a.length);
const DYNAMIC = 'set when the script runs';
const RUNTIME: ScriptTarget = { kind: 'runtime' };

const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\r';
const isNameChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_]/.test(ch);

class Lexer {
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
function expansionEnd(t: string, start: number): number {
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
function pipelines(tokens: readonly Token[]): Command[][] {
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

/** Reserved words that can precede a command on the same line (`then echo ...`, `! grep ...`). */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'time', 'fi', 'done']);
/** Options of sudo / doas / env / nice that take a separate argument. */
const WRAPPER_ARG_OPTIONS: Record<string, ReadonlySet<string>> = {
  sudo: new Set(['-u', '-g', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '-h', '--user', '--group', '--prompt', '--chdir']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir']),
  nice: new Set(['-n', '--adjustment']),
  nohup: new Set(),
  command: new Set(),
  exec: new Set(['-a']),
  stdbuf: new Set(['-i', '-o', '-e']),
};

const plain = (w: Word | undefined): string | undefined => (w === undefined || isDynamic(w.text, 0, w.text.text.length) ? undefined : w.text.text);
const isDynamic = (m: MappedText, start: number, end: number): boolean => rangeOf(m, start, end).unknownReason !== undefined;
const programName = (w: Word | undefined): string | undefined => {
  const p = plain(w);
  return p === undefined ? undefined : p.slice(p.lastIndexOf('/') + 1);
};

/** The words of the command that actually runs, past reserved words, assignments and sudo-like wrappers. */
function effectiveWords(words: readonly Word[]): Word[] {
  let i = 0;
  for (;;) {
    while (i < words.length && KEYWORDS.has(words[i]!.text.text) && !words[i]!.quoted) i++;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.text.text)) i++;
    const name = programName(words[i]);
    const argOptions = name === undefined ? undefined : own(WRAPPER_ARG_OPTIONS, name);
    if (argOptions === undefined) return words.slice(i);
    i++;
    while (i < words.length) {
      const w = words[i]!.text.text;
      if (w === '--') {
        i++;
        break;
      }
      if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) i++;
      else if (argOptions.has(w)) i += 2;
      else if (w.startsWith('-') && w.length > 1) i++;
      else break;
    }
  }
}

/** Text that a pipeline writes into files, with the files. */
interface Write {
  readonly content: MappedText;
  readonly targets: Word[];
}

const PASS_THROUGH = new Set(['cat', 'tee']);

function writeOf(pipeline: readonly Command[]): Write | undefined {
  const commands = pipeline.map((c) => ({ ...c, words: effectiveWords(c.words) }));
  const first = commands[0];
  if (first === undefined) return undefined;
  const targets: Word[] = [];
  for (const c of commands) {
    const name = programName(c.words[0]);
    if (c !== first && !PASS_THROUGH.has(name ?? '')) return undefined;
    for (const r of c.redirects) if ((r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '&>' || r.op === '&>>') && r.target) targets.push(r.target);
    if (name === 'tee') targets.push(...c.words.slice(1).filter((w) => !w.text.text.startsWith('-')));
  }
  if (targets.length === 0) return undefined;
  const content = contentOf(first);
  return content === undefined ? undefined : { content, targets };
}

/** What the first command of a pipeline prints: echo or printf arguments, or a heredoc / here-string. */
function contentOf(c: Command): MappedText | undefined {
  const name = programName(c.words[0]);
  const heredoc = c.redirects.find((r) => r.heredoc !== undefined)?.heredoc;
  if (heredoc !== undefined && (name === 'cat' || name === 'tee')) return heredoc.body;
  const hereString = c.redirects.find((r) => r.op === '<<<')?.target;
  if (hereString !== undefined && (name === 'cat' || name === 'tee')) return hereString.text;
  if (name === 'echo') {
    let args = c.words.slice(1);
    let escapes = false;
    while (args[0] !== undefined && /^-[neE]+$/.test(args[0].text.text)) {
      if (args[0].text.text.includes('e')) escapes = true;
      args = args.slice(1);
    }
    return withEscapedNewlines(join(args), escapes);
  }
  if (name === 'printf') {
    const format = c.words[1];
    if (format === undefined) return undefined;
    const args = c.words.slice(2);
    if (args.length === 0) return withEscapedNewlines(format.text, true);
    // `printf '%s\n' "k = v" ...` prints each argument on its own line.
    if (/^%s(\\n)?$/.test(format.text.text)) return withEscapedNewlines(join(args, '\n'), false);
    return undefined;
  }
  return undefined;
}

function join(words: readonly Word[], separator = ' '): MappedText {
  const first = words[0];
  const b = new MappedTextBuilder(first?.text.file ?? '', first?.at ?? { file: '', start: 0, end: 0 });
  words.forEach((w, n) => {
    if (n > 0) b.pushChar(separator, w.at.start, w.at.start);
    b.pushMapped(w.text);
  });
  return b.build();
}

/** `echo -e` and printf turn the two characters `\n` into a line break. */
function withEscapedNewlines(m: MappedText, interpret: boolean): MappedText {
  if (!interpret || !m.text.includes('\\n')) return m;
  const b = new MappedTextBuilder(m.file, m.whole);
  let i = 0;
  while (i < m.text.length) {
    if (m.text.startsWith('\\n', i)) {
      b.pushChar('\n', m.srcStart[i]!, m.srcEnd[i + 1]!);
      i += 2;
    } else {
      b.pushMapped(m, i, i + 1);
      i++;
    }
  }
  return b.build();
}

export interface ShellSysctlScan {
  readonly settings: SysctlSetting[];
  readonly problems: ParseProblem[];
  readonly comments: Comment[];
}

/** Records the settings in text written to a sysctl file. */
function scanConfText(content: MappedText, target: string, out: ShellSysctlScan): void {
  let lineStart = 0;
  const text = content.text;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const lineText = text.slice(lineStart, lineEnd);
    const line = parseSysctlLine(lineText);
    const offset = lineStart;
    const locate = (s: number, e: number): Span => rangeOf(content, offset + s, offset + e).span;
    if (line.kind === 'comment') {
      out.comments.push({ text: lineText.slice(line.textStart, line.textEnd), span: locate(line.markerStart, line.textEnd) });
    } else if (line.kind === 'invalid') {
      if (!isDynamic(content, offset + line.start, offset + line.end)) {
        out.problems.push({ message: `line written to ${target} is not "key = value": ${line.message}`, span: locate(line.start, line.end) });
      }
    } else if (line.kind === 'assignment') {
      if (!isDynamic(content, offset + line.start, offset + line.valueEnd)) {
        out.settings.push({ ...sysctlSettingFromLine(lineText, line, locate), scriptTarget: { kind: 'file', path: target } });
      }
    }
    lineStart = lineEnd + 1;
  }
}

/** `echo 65535 > /proc/sys/net/core/somaxconn` sets net.core.somaxconn. */
function scanProcWrite(content: MappedText, path: string, targetWord: Word, out: ShellSysctlScan): void {
  const rel = path.replace(/^\/proc\/sys\//, '').replace(/\/+$/, '');
  let start = 0;
  let end = content.text.length;
  while (start < end && /\s/.test(content.text[start]!)) start++;
  while (end > start && /\s/.test(content.text[end - 1]!)) end--;
  if (rel.length === 0 || start === end || isDynamic(content, start, end)) return;
  // A /proc/sys path is always in slash form, so a dot inside a component stays part of that component.
  const key = normalizeSysctlKey(`/${rel}`).slice(1);
  const valueSpan = rangeOf(content, start, end).span;
  out.settings.push({
    key,
    keySpan: targetWord.at,
    value: known(content.text.slice(start, end), valueSpan),
    span: spanUnion(valueSpan, targetWord.at),
    ignoreFailure: false,
    scriptTarget: RUNTIME,
  });
}

/** sysctl's own options; `-p`, `--load` and `--system` read files instead of taking key=value words. */
function scanSysctlCommand(words: readonly Word[], out: ShellSysctlScan): void {
  let loadsFiles = false;
  let ignoreFailure = false;
  const assignments: Word[] = [];
  for (const w of words.slice(1)) {
    const t = w.text.text;
    if (t === '--system' || t.startsWith('--load') || /^-[a-zA-Z]*[pf]/.test(t)) loadsFiles = true;
    else if (t === '--ignore' || /^-[a-zA-Z]*e[a-zA-Z]*$/.test(t)) ignoreFailure = true;
    if (t.startsWith('-')) continue;
    // procps writes every argument that contains `=`, with or without -w.
    if (t.includes('=')) assignments.push(w);
  }
  if (loadsFiles) return;
  for (const w of assignments) {
    const text = w.text.text;
    const line = parseSysctlLine(text);
    const locate = (s: number, e: number): Span => rangeOf(w.text, s, e).span;
    if (line.kind === 'assignment') {
      if (isDynamic(w.text, line.keyStart, line.valueEnd)) continue;
      const setting = sysctlSettingFromLine(text, line, locate);
      out.settings.push({ ...setting, ignoreFailure: ignoreFailure || setting.ignoreFailure, scriptTarget: RUNTIME });
    } else if (line.kind === 'invalid' && !isDynamic(w.text, 0, text.length)) {
      out.problems.push({ message: `sysctl argument is not "key=value": ${line.message}`, span: w.at });
    }
  }
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash']);

function scanTokens(src: MappedText, dynamic: boolean, out: ShellSysctlScan, comments: Comment[] | undefined, depth: number): void {
  const tokens = new Lexer(src, out.problems, comments, dynamic).run();
  for (const pipeline of pipelines(tokens)) {
    const write = writeOf(pipeline);
    if (write !== undefined) {
      for (const target of write.targets) {
        const path = plain(target);
        if (path === undefined) continue;
        if (path.startsWith('/proc/sys/')) scanProcWrite(write.content, path, target, out);
        else if (looksLikeSysctlFile(path)) scanConfText(write.content, path, out);
      }
    }
    for (const c of pipeline) {
      const words = effectiveWords(c.words);
      const name = programName(words[0]);
      if (name === 'sysctl') scanSysctlCommand(words, out);
      else if (name !== undefined && SHELLS.has(name) && depth < 3) {
        const script = words.findIndex((w, n) => n > 0 && /^-[a-z]*c[a-z]*$/.test(w.text.text));
        const body = script < 0 ? undefined : words[script + 1];
        if (body !== undefined) scanTokens(body.text, isDynamic(body.text, 0, body.text.text.length), out, undefined, depth + 1);
      }
    }
  }
}

/**
 * Finds the sysctls a shell script sets: `sysctl -w key=value` (with sudo, -q, -e, several
 * assignments, quoted words), `key = value` lines appended to /etc/sysctl.conf or a sysctl.d file
 * (`echo ... | sudo tee -a`, `echo ... >>`, `printf`, heredocs), writes to /proc/sys, and the same
 * inside `sh -c '...'`. Commented-out lines are comments. Settings are in script order.
 */
export function scanShellForSysctls(file: SourceFile): ParseResult<SysctlSetting[]> {
  const out: ShellSysctlScan = { settings: [], problems: [], comments: [] };
  scanTokens(literalText(file.path, file.text, 0), false, out, out.comments, 0);
  const bySource = (a: { span: Span }, b: { span: Span }): number => a.span.start - b.span.start;
  return { doc: out.settings, problems: out.problems.sort(bySource), comments: out.comments.sort(bySource) };
}

/** Whether a file is a shell script worth scanning: a shell extension or a shell shebang. */
export function looksLikeShellScript(path: string, text: string): boolean {
  if (/\.(sh|bash|dash|ksh|zsh)$/i.test(path)) return true;
  const firstLine = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  return /^#!\s*(\S*\/)?(env\s+(-\S+\s+)*)?(ba|da|k|z|a)?sh\b/.test(firstLine);
}
