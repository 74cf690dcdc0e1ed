import { own } from '../../core/own.js';
import { posix } from 'node:path';
import { known, unknown, type Known, type Span, type Value } from '../../core/value.js';
import { MappedTextBuilder, rangeOf, type MappedText } from '../../parsers/mapped-text.js';
import { simpleCommands, splitShellWords, type ShellWord } from '../../parsers/shell-words.js';
import type { AppServerKind } from '../types.js';

/** Where an app server's own argv starts inside a process's argv, and what wraps it. */
export interface ServerCommand {
  readonly kind: AppServerKind;
  /** The server's words: its program name first, then its arguments. */
  readonly argv: readonly ShellWord[];
  readonly span: Span;
}

const SHELLS = /(^|\/)(sh|bash|ash|dash|zsh)$/;
/** Programs that run the rest of their argv as the real command (process supervisors, tracers, runners). */
const RUNNERS = new Set([
  'exec', 'tini', '--', 'dumb-init', 'nice', 'ionice', 'ddtrace-run', 'opentelemetry-instrument', 'newrelic-admin', 'run-program',
  'poetry', 'pipenv', 'uv', 'pdm', 'hatch', 'rye', 'run', 'catatonit', 'nohup', 'time',
]);
/** Runners whose next word is an argument of their own (the user to run as). */
const RUNNERS_WITH_ARG = new Set(['gosu', 'su-exec', 'chpst', 'setuidgid', 's6-setuidgid']);
const PROGRAMS: Record<string, AppServerKind> = { gunicorn: 'gunicorn', uvicorn: 'uvicorn', daphne: 'daphne', uwsgi: 'uwsgi', granian: 'granian' };
/** What `python -m X` may start. */
const PYTHON_MODULES: Record<string, AppServerKind> = { gunicorn: 'gunicorn', uvicorn: 'uvicorn', daphne: 'daphne', granian: 'granian' };

function textOf(w: ShellWord | undefined): string | undefined {
  return w?.value.kind === 'known' ? w.value.value : undefined;
}

function spanOfWords(words: readonly ShellWord[]): Span {
  const first = words[0]!.value.span;
  const last = words[words.length - 1]!.value.span;
  return first.file === last.file ? { file: first.file, start: Math.min(first.start, last.start), end: Math.max(first.end, last.end) } : first;
}

/**
 * Finds the app server an argv starts: directly, under `exec`/`env`/tini/gosu and similar wrappers,
 * as `python -m gunicorn`, or inside `sh -c "..."`. Undefined when the argv starts no server we read.
 */
export function locateServer(words: readonly ShellWord[], depth = 0): ServerCommand | undefined {
  if (depth > 3) return undefined;
  for (const simple of simpleCommands(words)) {
    let i = 0;
    while (i < simple.length) {
      const w = textOf(simple[i]);
      if (w === undefined) break;
      const base = w.split('/').pop()!;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || RUNNERS.has(base)) {
        i++;
        continue;
      }
      if (base === 'env') {
        i++;
        while (textOf(simple[i])?.startsWith('-')) i += textOf(simple[i]) === '-u' ? 2 : 1;
        continue;
      }
      if (RUNNERS_WITH_ARG.has(base)) {
        i += 2;
        continue;
      }
      if (SHELLS.test(w)) {
        const c = simple.findIndex((x, k) => k > i && x.value.kind === 'known' && /^-[a-z]*c[a-z]*$/.test(x.value.value));
        const script = c >= 0 ? simple[c + 1] : undefined;
        if (script) return locateServer(splitShellWords(script.text), depth + 1);
        break;
      }
      if (/^python[0-9.]*$/.test(base)) {
        // python [-u -O -X opt ...] -m module args
        let k = i + 1;
        while (textOf(simple[k])?.startsWith('-') && textOf(simple[k]) !== '-m') k += textOf(simple[k]) === '-X' || textOf(simple[k]) === '-W' ? 2 : 1;
        const mod = textOf(simple[k + 1]);
        const kind = textOf(simple[k]) === '-m' && mod ? own(PYTHON_MODULES, mod) : undefined;
        if (!kind) break;
        const argv = simple.slice(k + 1);
        return { kind, argv, span: spanOfWords(simple.slice(i)) };
      }
      const kind = own(PROGRAMS, base);
      if (!kind) break;
      const argv = simple.slice(i);
      return { kind, argv, span: spanOfWords(argv) };
    }
  }
  return undefined;
}

/** One option as written: `--name value`, `--name=value`, `-n value`, `-nvalue`, or a flag. */
export interface ParsedOption {
  /** The long name (short ones translated). */
  readonly name: string;
  readonly value: Value<string>;
  /** The option and its value, where a user edits it. */
  readonly span: Span;
}

export interface ParsedArgs {
  readonly options: readonly ParsedOption[];
  readonly positional: readonly Value<string>[];
  /** Words that could not be read (an unknown word where an option name should be). */
  readonly unreadable: readonly Value<string>[];
}

export interface OptionTable {
  /** Single-letter options: `b` -> `bind`. */
  readonly short: Readonly<Record<string, string>>;
  /** Long names that take no value. */
  readonly flags: ReadonlySet<string>;
  /** click-style `--no-NAME` switches NAME off (value "false"). */
  readonly negatable?: boolean;
  /** Other spellings of an option: `keep-alive` -> `keepalive`. */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** Splits an argv (without the program name) into options and positional arguments, as argparse/click/getopt do. */
export function parseArgs(args: readonly ShellWord[], table: OptionTable): ParsedArgs {
  const options: ParsedOption[] = [];
  const positional: Value<string>[] = [];
  const unreadable: Value<string>[] = [];
  const canonical = (n: string) => (table.aliases ? own(table.aliases, n) : undefined) ?? n;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const v = word.value;
    if (v.kind === 'unknown') {
      unreadable.push(v);
      continue;
    }
    const text = v.value;
    if (text === '--') {
      for (const rest of args.slice(i + 1)) positional.push(rest.value);
      break;
    }
    let name: string | undefined;
    let inline: Value<string> | undefined;
    if (text.startsWith('--') && text.length > 2) {
      const eq = text.indexOf('=');
      name = canonical(eq < 0 ? text.slice(2) : text.slice(2, eq));
      if (eq >= 0) inline = partOf(word, eq + 1);
    } else if (text.startsWith('-') && text.length > 1 && !/^-[0-9]/.test(text)) {
      const letter = text[1]!;
      name = canonical(own(table.short, letter) ?? letter);
      if (text.length > 2) inline = partOf(word, text[2] === '=' ? 3 : 2);
    } else {
      positional.push(v);
      continue;
    }
    if (table.negatable && name.startsWith('no-') && table.flags.has(name.slice(3))) {
      options.push({ name: name.slice(3), value: known('false', v.span), span: v.span });
      continue;
    }
    if (table.flags.has(name)) {
      options.push({ name, value: inline ?? known('true', v.span), span: v.span });
      continue;
    }
    if (inline) {
      options.push({ name, value: inline, span: v.span });
      continue;
    }
    const next = args[i + 1];
    if (!next) {
      options.push({ name, value: unknown(`--${name} has no value`, v.span), span: v.span });
      break;
    }
    options.push({ name, value: next.value, span: joinSpans(v.span, next.value.span) });
    i++;
  }
  return { options, positional, unreadable };
}

export function joinSpans(a: Span, b: Span): Span {
  return a.file === b.file ? { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) } : a;
}

function partOf(word: ShellWord, from: number): Value<string> {
  const r = rangeOf(word.text, from, word.text.text.length);
  if (r.unknownReason !== undefined) return unknown(r.unknownReason, r.span);
  return known(word.text.text.slice(from), r.span, { via: r.via });
}

/**
 * The characters of an environment value as mapped text, so `GUNICORN_CMD_ARGS="--workers 4"` splits
 * into words that point into the line that sets it (each character exactly when the span covers the
 * value one to one, else every character at the whole value).
 */
export function textOfValue(v: Known<string>): MappedText {
  const b = new MappedTextBuilder(v.span.file, v.span);
  const exact = v.span.end - v.span.start === v.value.length;
  for (let i = 0; i < v.value.length; i++) b.pushChar(v.value[i]!, exact ? v.span.start + i : v.span.start, exact ? v.span.start + i + 1 : v.span.end);
  return b.build();
}

/** An option's value as a number. */
export function numberOf(v: Value<unknown>, what: string): Value<number> {
  if (v.kind === 'unknown') return v;
  const raw = v.value;
  if (typeof raw === 'number' && Number.isFinite(raw)) return { ...v, value: raw };
  if (typeof raw === 'boolean') return { ...v, value: Number(raw) };
  if (typeof raw === 'string' && /^\s*[+-]?[0-9]+(\.[0-9]+)?\s*$/.test(raw)) return { ...v, value: Number(raw) };
  return unknown(`${what} is not a number: ${JSON.stringify(raw)}`, v.span);
}

/** A container path resolved against a working directory; undefined when the directory cannot be known. */
export function containerPath(path: string, workingDir: Value<string>): string | undefined {
  if (path.startsWith('/')) return posix.normalize(path);
  if (workingDir.kind !== 'known') return undefined;
  return posix.resolve(workingDir.value || '/', path);
}

/** `host:port` / `[v6]:port` / `unix:/path` / `fd://N`: the TCP port, or why there is none. */
export function portOfBind(bind: Value<string>, defaultPort: number | undefined): Value<number> {
  if (bind.kind === 'unknown') return bind;
  const b = bind.value;
  if (b.startsWith('unix:') || b.startsWith('/')) return unknown(`${b} is a unix socket, not a TCP port`, bind.span);
  if (b.startsWith('fd://')) return unknown(`${b} is an inherited file descriptor`, bind.span);
  const m = /:(\d+)$/.exec(b);
  if (m) return known(Number(m[1]), bind.span, bind.via ? { via: bind.via } : {});
  if (defaultPort === undefined) return unknown(`${JSON.stringify(b)} names no port`, bind.span);
  return /^[\w.-]+$|^\[[0-9a-fA-F:]+\]$/.test(b) ? known(defaultPort, bind.span, { ...(bind.via ? { via: bind.via } : {}), isDefault: true }) : unknown(`cannot read a port from ${JSON.stringify(b)}`, bind.span);
}

/** The span of the value in `KEY=value`, when the span maps the text one to one; else the whole span. */
export function afterEquals(span: Span, text: string, eq: number): Span {
  return span.end - span.start === text.length ? { file: span.file, start: span.start + eq + 1, end: span.end } : span;
}
