import type { SourceFile } from '../core/source.js';
import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import { own } from '../core/own.js';

export { parsePostgresDuration } from '../reference/postgres-settings.js';

/**
 * The span of `text[from, to)` inside an argv word. Exact when the word is written literally (its
 * span is as long as its text, or that plus two quotes); otherwise the whole word, which is still
 * the place a user edits.
 */
function partOf(word: Known<string>, from: number, to: number): Span {
  const width = word.span.end - word.span.start;
  const offset = width === word.value.length ? 0 : width === word.value.length + 2 ? 1 : undefined;
  if (offset === undefined) return word.span;
  return { file: word.span.file, start: word.span.start + offset + from, end: word.span.start + offset + to };
}

/** Single-letter postgres options that take an argument, and the setting each one sets. */
const SHORT_WITH_ARG: Record<string, string | undefined> = {
  B: 'shared_buffers', d: 'log_min_messages', D: 'data_directory', h: 'listen_addresses', k: 'unix_socket_directories',
  N: 'max_connections', p: 'port', S: 'work_mem', c: undefined, C: undefined, r: undefined, o: undefined, W: undefined,
};
/** Single-letter flags that set a setting to a fixed value. */
const SHORT_FLAGS: Record<string, readonly [string, string] | undefined> = {
  F: ['fsync', 'off'], i: ['listen_addresses', '*'], l: ['ssl', 'on'], e: ['datestyle', 'euro'],
};

/** `name=value` -> setting, with the value's span inside the word; dashes in names become underscores, as postgres does. */
function assignment(word: Known<string>, from: number, set: (name: string, v: Value<string>) => void, problems: ParseProblem[]): void {
  const text = word.value.slice(from);
  const eq = text.indexOf('=');
  if (eq <= 0) {
    problems.push({ message: `postgres needs "name=value" here, got ${JSON.stringify(text)}`, span: partOf(word, from, word.value.length) });
    return;
  }
  const name = text.slice(0, eq).replace(/-/g, '_').toLowerCase();
  set(name, known(text.slice(eq + 1), partOf(word, from + eq + 1, word.value.length)));
}

/**
 * Settings from a postgres command line (a db service's `command:`): `-c name=value`,
 * `-cname=value`, `--name=value`, and the short options (`-N 200` = max_connections, `-B`, `-p`…).
 * Words before the first option (`postgres`, an entrypoint) are skipped. Keys are lower-case GUC
 * names; the last assignment wins. An unknown word leaves the setting it feeds unknown.
 */
export function parsePostgresArgs(argv: readonly Value<string>[]): { settings: Map<string, Value<string>>; problems: ParseProblem[] } {
  const settings = new Map<string, Value<string>>();
  const problems: ParseProblem[] = [];
  const set = (name: string, v: Value<string>): void => {
    settings.set(name, v);
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word.kind === 'unknown') continue;
    const w = word.value;
    if (w.startsWith('--')) {
      if (w.includes('=')) assignment(word, 2, set, problems);
      else if (!['--single', '--boot', '--describe-config', '--version', '--help'].includes(w)) {
        problems.push({ message: `${w} needs a value: postgres only takes --name=value`, span: word.span });
      }
      continue;
    }
    if (!w.startsWith('-') || w.length < 2) continue;
    const letter = w[1]!;
    const flag = own(SHORT_FLAGS, letter);
    if (flag) {
      set(flag[0], known(flag[1], word.span));
      continue;
    }
    if (!Object.hasOwn(SHORT_WITH_ARG, letter)) continue;
    // The argument may be attached (-N200, -cwork_mem=1MB) or the next word.
    let argWord: Value<string> | undefined;
    let from = 2;
    if (w.length > 2) argWord = word;
    else {
      argWord = argv[++i];
      from = 0;
      if (!argWord) {
        problems.push({ message: `${w} needs an argument`, span: word.span });
        break;
      }
    }
    if (letter === 'c') {
      if (argWord.kind === 'known') assignment(argWord, from, set, problems);
      continue;
    }
    const target = own(SHORT_WITH_ARG, letter);
    if (!target) continue;
    if (argWord.kind === 'unknown') set(target, argWord);
    else set(target, known(argWord.value.slice(from), partOf(argWord, from, argWord.value.length)));
  }
  return { settings, problems };
}

export interface PostgresqlInclude {
  readonly directive: 'include' | 'include_if_exists' | 'include_dir';
  readonly path: string;
  readonly span: Span;
}

/** postgresql.conf settings by lower-case name (last wins), plus the include directives, which are not followed. */
export class PostgresqlConf extends Map<string, Known<string>> {
  readonly includes: PostgresqlInclude[] = [];
}

/**
 * postgresql.conf as PostgreSQL's guc-file.l reads it: `name = value` or `name value`, values bare
 * or single-quoted (`''` and backslash escapes), `#` starting a comment anywhere outside quotes.
 */
export function parsePostgresqlConf(file: SourceFile): ParseResult<PostgresqlConf> {
  const doc = new PostgresqlConf();
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  const text = file.text;
  const span = (start: number, end: number): Span => ({ file: file.path, start, end });
  let lineStart = 0;
  while (lineStart <= text.length) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl;
    readLine(lineStart, lineEnd);
    if (nl === -1) break;
    lineStart = nl + 1;
  }
  return { doc, problems, comments };

  function readLine(start: number, end: number): void {
    let p = start;
    const skip = (): void => {
      while (p < end && /[ \t\r\f\v]/.test(text[p]!)) p++;
    };
    const commentOrEnd = (): boolean => {
      skip();
      if (p < end && text[p] === '#') {
        const cEnd = text[end - 1] === '\r' ? end - 1 : end;
        comments.push({ text: text.slice(p + 1, cEnd).trim(), span: span(p, cEnd) });
        return true;
      }
      return p >= end;
    };
    if (commentOrEnd()) return;
    const name = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*/.exec(text.slice(p, end));
    if (!name) {
      problems.push({ message: 'Expected a setting name', span: span(p, end) });
      return;
    }
    const key = name[0].toLowerCase();
    p += name[0].length;
    skip();
    if (text[p] === '=') {
      p++;
      skip();
    }
    const valueStart = p;
    let value: string;
    if (text[p] === "'") {
      value = '';
      p++;
      let closed = false;
      while (p < end) {
        const c = text[p]!;
        if (c === '\\' && p + 1 < end) { value += text[p + 1]; p += 2; continue; }
        if (c === "'") {
          if (text[p + 1] === "'") { value += "'"; p += 2; continue; }
          p++;
          closed = true;
          break;
        }
        value += c;
        p++;
      }
      if (!closed) {
        problems.push({ message: `Value of ${key} is missing its closing quote`, span: span(valueStart, end) });
        return;
      }
    } else {
      while (p < end && !/[\s#']/.test(text[p]!)) p++;
      value = text.slice(valueStart, p);
      if (value === '') {
        problems.push({ message: `Missing value for ${key}`, span: span(start, end) });
        return;
      }
    }
    const valueSpan = span(valueStart, p);
    if (!commentOrEnd()) {
      problems.push({ message: `Unexpected text after the value of ${key}`, span: span(p, text[end - 1] === '\r' ? end - 1 : end) });
      return;
    }
    if (key === 'include' || key === 'include_if_exists' || key === 'include_dir') {
      doc.includes.push({ directive: key, path: value, span: valueSpan });
      return;
    }
    doc.set(key, known(value, valueSpan));
  }
}

/** A setting's value from the command line over postgresql.conf, or the catalog default placed at `fallbackAt`. */
export function effectivePostgresSetting(
  name: string,
  args: Map<string, Value<string>>,
  conf: Map<string, Known<string>> | undefined,
  defaultValue: string | undefined,
  fallbackAt: Span,
): Value<string> {
  const key = name.toLowerCase();
  const fromArgs = args.get(key);
  if (fromArgs) return fromArgs;
  const fromConf = conf?.get(key);
  if (fromConf) return fromConf;
  return defaultValue === undefined ? unknown(`${name} has no known default`, fallbackAt) : known(defaultValue, fallbackAt, { isDefault: true });
}
