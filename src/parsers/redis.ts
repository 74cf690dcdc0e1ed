import type { SourceFile } from '../core/source.js';
import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import { known, spanUnion, unknown, type Known, type Span, type Value } from '../core/value.js';

export { parseRedisMemory, REDIS_DEFAULTS } from '../reference/redis-settings.js';

/** Settings by lower-case name; a value of several words is joined with single spaces. */
export interface RedisArgs {
  /** The config file named before the first option (`redis-server /etc/redis.conf --port 7000`). */
  readonly configFile?: Value<string>;
  readonly settings: Map<string, Value<string>>;
  readonly problems: ParseProblem[];
}

/**
 * Redis adds each `save` directive to the list of snapshot points instead of replacing it; an empty
 * `save ""` clears the list.
 */
function assign<V extends Value<string>>(settings: Map<string, V>, name: string, value: V): void {
  const previous = settings.get(name);
  if (name === 'save' && previous?.kind === 'known' && value.kind === 'known' && previous.value !== '' && value.value !== '') {
    settings.set(name, { ...value, value: `${previous.value} ${value.value}`, span: spanUnion(previous.span, value.span) });
  } else {
    settings.set(name, value);
  }
}

/** Joins the words of one option; unknown when any word is, spanning all of them. */
function joinWords(words: readonly Value<string>[], at: Span): Value<string> {
  if (words.length === 0) return known('', at);
  const span = words.map((w) => w.span).reduce(spanUnion);
  const missing = words.find((w) => w.kind === 'unknown');
  if (missing) return unknown(missing.reason, span);
  return known(words.map((w) => (w as Known<string>).value).join(' '), span);
}

/**
 * Options of a redis-server command line, the way Redis turns argv into config lines: every
 * `--name` starts a directive and the words up to the next `--name` are its arguments
 * (`--save ""` gives save an empty argument; `--save 900 1 300 10` several). A leading
 * `redis-server` is skipped; a first word that is not an option is the config file.
 */
export function parseRedisArgs(argv: readonly Value<string>[]): RedisArgs {
  const settings = new Map<string, Value<string>>();
  const problems: ParseProblem[] = [];
  let i = 0;
  const first = argv[0];
  // The server binary is not a config file, whatever the fork calls it.
  if (first?.kind === 'known' && /(^|\/)(redis|valkey|keydb|redis-stack)-server$/.test(first.value)) i++;
  let configFile: Value<string> | undefined;
  const next = argv[i];
  if (next && !(next.kind === 'known' && next.value.startsWith('--'))) {
    configFile = next;
    i++;
  }
  let name: Known<string> | undefined;
  let words: Value<string>[] = [];
  const flush = (): void => {
    if (name) assign(settings, name.value.slice(2).toLowerCase(), joinWords(words, name.span));
  };
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    // Redis only starts a new directive at "--" followed by a name; "--" alone would be an argument.
    if (word.kind === 'known' && word.value.startsWith('--') && word.value.length > 2) {
      flush();
      name = word;
      words = [];
    } else if (name) {
      words.push(word);
    } else {
      problems.push({ message: 'Argument before any --option', span: word.span });
    }
  }
  flush();
  return { ...(configFile ? { configFile } : {}), settings, problems };
}

export interface RedisInclude {
  readonly path: string;
  readonly span: Span;
}

/** redis.conf directives by lower-case name (last wins), plus `include` lines, which are not followed. */
export class RedisConf extends Map<string, Known<string>> {
  readonly includes: RedisInclude[] = [];
}

/**
 * redis.conf as Redis reads it (sdssplitargs per line): `#` comments only at the start of a line,
 * words separated by spaces, "double quotes" with backslash escapes and 'single quotes'.
 */
export function parseRedisConf(file: SourceFile): ParseResult<RedisConf> {
  const doc = new RedisConf();
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  const text = file.text;
  const span = (start: number, end: number): Span => ({ file: file.path, start, end });
  let lineStart = 0;
  for (;;) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl;
    readLine(lineStart, lineEnd);
    if (nl === -1) break;
    lineStart = nl + 1;
  }
  return { doc, problems, comments };

  function readLine(start: number, end: number): void {
    let p = start;
    while (p < end && /\s/.test(text[p]!)) p++;
    let stop = end;
    while (stop > p && /\s/.test(text[stop - 1]!)) stop--;
    if (p >= stop) return;
    if (text[p] === '#') {
      comments.push({ text: text.slice(p + 1, stop).trim(), span: span(p, stop) });
      return;
    }
    const words: Array<{ value: string; start: number; end: number }> = [];
    while (p < stop) {
      const wStart = p;
      let value = '';
      if (text[p] === '"' || text[p] === "'") {
        const quote = text[p]!;
        p++;
        let closed = false;
        while (p < stop) {
          const c = text[p]!;
          if (c === '\\' && p + 1 < stop) {
            const n = text[p + 1]!;
            value += quote === '"' ? ({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' } as Record<string, string>)[n] ?? n : n === "'" ? "'" : `\\${n}`;
            p += 2;
            continue;
          }
          if (c === quote) { p++; closed = true; break; }
          value += c;
          p++;
        }
        if (!closed || (p < stop && !/\s/.test(text[p]!))) {
          problems.push({ message: closed ? 'A closing quote must be followed by a space' : 'Unbalanced quotes', span: span(wStart, stop) });
          return;
        }
      } else {
        while (p < stop && !/\s/.test(text[p]!)) p++;
        value = text.slice(wStart, p);
      }
      words.push({ value, start: wStart, end: p });
      while (p < stop && /\s/.test(text[p]!)) p++;
    }
    const [head, ...args] = words;
    if (!head) return;
    const name = head.value.toLowerCase();
    const valueSpan = args.length > 0 ? span(args[0]!.start, args[args.length - 1]!.end) : span(head.end, head.end);
    if (name === 'include') {
      doc.includes.push({ path: args.map((a) => a.value).join(' '), span: valueSpan });
      return;
    }
    assign(doc, name, known(args.map((a) => a.value).join(' '), valueSpan));
  }
}
