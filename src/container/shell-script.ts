import { posix } from 'node:path';
import type { ParseProblem } from '../core/problem.js';
import { known, unknown, type Span, type Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { literalText, MappedTextBuilder, rangeOf, type MappedText } from '../parsers/mapped-text.js';
import { DYNAMIC, Lexer, type Redirect, type Token, type Word } from '../parsers/shell-lexer.js';
import { wordsFromList, type ShellWord } from '../parsers/shell-words.js';
import { globToRegExp, type ContainerFile, type ContainerFs, type ContainerPathSource } from './filesystem.js';
import { applySed, parseSed, renderEnvsubst, renderedLayer } from './render.js';
import type { ProcessStep, UnknownPart } from './types.js';

/**
 * Reads an entrypoint or start script the way the shell would run it, without running anything:
 * variables and positional parameters, `export`, `cd`, `set --`, `shift`, functions, `.`/`source`,
 * `if`/`case` on values known statically (the others are marked unknown), files the script writes
 * (`envsubst < a > b`, `sed ... > b`, `cp`, `mv`, `rm`, `cat > f <<EOF`, `echo ... > f`), and the
 * program it hands over to: the `exec`ed command, or else the last command it runs.
 */

export type ScriptSource =
  | { readonly kind: 'inline'; readonly text: MappedText }
  | { readonly kind: 'file'; readonly path: string; readonly file: ContainerFile };

export interface ScriptInput {
  readonly env: ReadonlyMap<string, Value<string>>;
  readonly workdir: Value<string>;
  readonly args: readonly ShellWord[];
  readonly fs: ContainerFs;
}

export interface ScriptResult {
  /** `exec`: the script hands its process over to `argv`; `last`: `argv` is its last command; `none`: it runs nothing that stays. */
  readonly outcome: 'exec' | 'last' | 'none' | 'unknown';
  readonly argv: readonly ShellWord[];
  readonly env: ReadonlyMap<string, Value<string>>;
  readonly workdir: Value<string>;
  readonly steps: readonly ProcessStep[];
  readonly unknowns: readonly UnknownPart[];
  readonly layers: readonly ContainerPathSource[];
  readonly problems: readonly ParseProblem[];
  /** Repository files the script sourced (`. utils.sh`). */
  readonly read: readonly string[];
  /** Programs the script runs in the foreground before it hands over (`manage.py migrate`), in order. */
  readonly ran: readonly RanCommand[];
}

/** A program a start-up script runs to completion before the main process (not a shell builtin). */
export interface RanCommand {
  readonly argv: readonly ShellWord[];
  /** The command as written in the script. */
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Parsing: tokens into a small shell syntax tree.

type Node =
  | { readonly k: 'simple'; readonly words: Word[]; readonly redirects: Redirect[]; readonly span: Span; background: boolean }
  | { readonly k: 'if'; readonly branches: { cond: Node[]; body: Node[] }[]; readonly otherwise?: Node[]; readonly span: Span }
  | { readonly k: 'case'; readonly subject: Word; readonly arms: { patterns: Word[]; body: Node[] }[]; readonly span: Span }
  | { readonly k: 'loop'; readonly body: Node[]; readonly span: Span; readonly forVar?: string; readonly items?: Word[] }
  | { readonly k: 'group'; readonly body: Node[]; readonly subshell: boolean; readonly span: Span }
  | { readonly k: 'func'; readonly name: string; readonly body: Node[]; readonly span: Span }
  | { readonly k: 'andor'; readonly first: Node; readonly rest: { op: '&&' | '||'; node: Node }[] }
  | { readonly k: 'not'; readonly node: Node };

const isWord = (t: Token | undefined, text?: string): t is Extract<Token, { kind: 'word' }> =>
  t?.kind === 'word' && (text === undefined || (t.word.text.text === text && !t.word.quoted));
const isOp = (t: Token | undefined, op?: string): t is Extract<Token, { kind: 'op' }> => t?.kind === 'op' && (op === undefined || t.op === op);
const RESERVED = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}', ';;']);
const REDIRECT = new Set(['&>>', '<<-', '<<<', '>>', '>|', '<<', '<>', '>&', '<&', '&>', '>', '<']);

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[], private readonly whole: Span) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private skipBreaks(): void {
    while (this.peek()?.kind === 'break' || isOp(this.peek(), ';')) this.i++;
  }

  /** Statements until one of `stop` (unquoted reserved words) or the end. */
  list(stop: ReadonlySet<string>): Node[] {
    const out: Node[] = [];
    for (;;) {
      this.skipBreaks();
      const t = this.peek();
      if (!t) return out;
      if (isWord(t) && !t.word.quoted && stop.has(t.word.text.text)) return out;
      if (isOp(t, ';;') && stop.has(';;')) return out;
      if (isOp(t, ')') && stop.has(')')) return out;
      const before = this.i;
      const node = this.andOr(stop);
      if (node) out.push(node);
      if (isOp(this.peek(), '&')) {
        if (node?.k === 'simple') node.background = true;
        this.i++;
      }
      if (this.i === before) this.i++;
    }
  }

  private andOr(stop: ReadonlySet<string>): Node | undefined {
    const first = this.pipeline(stop);
    if (!first) return undefined;
    const rest: { op: '&&' | '||'; node: Node }[] = [];
    while (isOp(this.peek(), '&&') || isOp(this.peek(), '||')) {
      const op = (this.peek() as { op: '&&' | '||' }).op;
      this.i++;
      while (this.peek()?.kind === 'break') this.i++;
      const node = this.pipeline(stop);
      if (node) rest.push({ op, node });
    }
    return rest.length ? { k: 'andor', first, rest } : first;
  }

  private pipeline(stop: ReadonlySet<string>): Node | undefined {
    let negate = false;
    if (isWord(this.peek(), '!')) {
      negate = true;
      this.i++;
    }
    let node = this.command(stop);
    // In a pipeline only the last command's status counts; for what runs, the first command decides
    // nothing that stays (pipelines are not entrypoints' hand-over), so keep the last.
    while (isOp(this.peek(), '|') || isOp(this.peek(), '|&')) {
      this.i++;
      while (this.peek()?.kind === 'break') this.i++;
      const next = this.command(stop);
      if (next) node = next.k === 'simple' && node?.k === 'simple' ? { ...next, redirects: [...next.redirects], pipedFrom: node } as Node : next;
    }
    return node && negate ? { k: 'not', node } : node;
  }

  private spanFrom(start: number): Span {
    let s: Span | undefined;
    let e: Span | undefined;
    for (let j = start; j < this.i && j < this.tokens.length; j++) {
      const t = this.tokens[j]!;
      const sp = t.kind === 'word' ? t.word.at : t.kind === 'op' ? t.at : undefined;
      if (!sp) continue;
      s ??= sp;
      e = sp;
    }
    if (!s || !e) return this.whole;
    return s.file === e.file ? { file: s.file, start: s.start, end: Math.max(s.end, e.end) } : s;
  }

  private expectWord(text: string): void {
    this.skipBreaks();
    if (isWord(this.peek(), text)) this.i++;
  }

  private command(stop: ReadonlySet<string>): Node | undefined {
    const t = this.peek();
    const start = this.i;
    if (isWord(t) && !t.word.quoted) {
      const w = t.word.text.text;
      if (w === 'if') {
        this.i++;
        const branches: { cond: Node[]; body: Node[] }[] = [];
        let otherwise: Node[] | undefined;
        const cond = this.list(new Set(['then']));
        this.expectWord('then');
        branches.push({ cond, body: this.list(new Set(['elif', 'else', 'fi'])) });
        for (;;) {
          const n = this.peek();
          if (isWord(n, 'elif')) {
            this.i++;
            const c = this.list(new Set(['then']));
            this.expectWord('then');
            branches.push({ cond: c, body: this.list(new Set(['elif', 'else', 'fi'])) });
          } else if (isWord(n, 'else')) {
            this.i++;
            otherwise = this.list(new Set(['fi']));
          } else break;
        }
        this.expectWord('fi');
        this.trailingRedirects();
        return { k: 'if', branches, ...(otherwise ? { otherwise } : {}), span: this.spanFrom(start) };
      }
      if (w === 'case') {
        this.i++;
        const subject = this.peek()?.kind === 'word' ? (this.tokens[this.i++] as { word: Word }).word : t.word;
        this.expectWord('in');
        const arms: { patterns: Word[]; body: Node[] }[] = [];
        for (;;) {
          this.skipBreaks();
          const n = this.peek();
          if (!n || isWord(n, 'esac')) break;
          if (isOp(n, '(')) this.i++;
          const patterns: Word[] = [];
          while (this.peek() && !isOp(this.peek(), ')')) {
            const p = this.peek()!;
            if (p.kind === 'word') patterns.push(p.word);
            this.i++;
          }
          this.i++;
          const body = this.list(new Set([';;', 'esac']));
          arms.push({ patterns, body });
          if (isOp(this.peek(), ';;')) this.i++;
        }
        this.expectWord('esac');
        return { k: 'case', subject, arms, span: this.spanFrom(start) };
      }
      if (w === 'while' || w === 'until' || w === 'for' || w === 'select') {
        this.i++;
        let forVar: string | undefined;
        let items: Word[] | undefined;
        if (w === 'for' || w === 'select') {
          if (isWord(this.peek())) forVar = (this.tokens[this.i++] as { word: Word }).word.text.text;
          if (isWord(this.peek(), 'in')) {
            this.i++;
            items = [];
            while (this.peek() && this.peek()!.kind === 'word' && !isWord(this.peek(), 'do')) items.push((this.tokens[this.i++] as { word: Word }).word);
          }
          while (this.peek() && !isWord(this.peek(), 'do')) this.i++;
        } else this.list(new Set(['do']));
        this.expectWord('do');
        const body = this.list(new Set(['done']));
        this.expectWord('done');
        this.trailingRedirects();
        return { k: 'loop', body, span: this.spanFrom(start), ...(w === 'for' && forVar ? { forVar, ...(items ? { items } : {}) } : {}) };
      }
      if (w === '{') {
        this.i++;
        const body = this.list(new Set(['}']));
        this.expectWord('}');
        this.trailingRedirects();
        return { k: 'group', body, subshell: false, span: this.spanFrom(start) };
      }
      if (w === 'function' && isWord(this.tokens[this.i + 1])) {
        this.i++;
        const name = (this.tokens[this.i++] as { word: Word }).word.text.text;
        if (isOp(this.peek(), '(') && isOp(this.tokens[this.i + 1], ')')) this.i += 2;
        return this.funcBody(name, start);
      }
      if (isOp(this.tokens[this.i + 1], '(') && isOp(this.tokens[this.i + 2], ')') && /^[A-Za-z_][\w-]*$/.test(w)) {
        this.i += 3;
        return this.funcBody(w, start);
      }
      if (RESERVED.has(w) && stop.has(w)) return undefined;
    }
    if (isOp(t, '(')) {
      this.i++;
      const body = this.list(new Set([')']));
      if (isOp(this.peek(), ')')) this.i++;
      return { k: 'group', body, subshell: true, span: this.spanFrom(start) };
    }
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const n = this.peek();
      if (!n || n.kind === 'break') break;
      if (n.kind === 'word') {
        if (words.length > 0 && !n.word.quoted && stop.has(n.word.text.text) && n.word.text.text === '}') break;
        words.push(n.word);
        this.i++;
        continue;
      }
      if (REDIRECT.has(n.op)) {
        this.i++;
        if (n.heredoc || n.op === '<<' || n.op === '<<-') redirects.push(n.heredoc ? { op: n.op, heredoc: n.heredoc } : { op: n.op });
        else if (this.peek()?.kind === 'word') redirects.push({ op: n.op, target: (this.tokens[this.i++] as { word: Word }).word });
        else redirects.push({ op: n.op });
        continue;
      }
      break;
    }
    if (words.length === 0 && redirects.length === 0) return undefined;
    return { k: 'simple', words, redirects, span: this.spanFrom(start), background: false };
  }

  private funcBody(name: string, start: number): Node {
    this.skipBreaks();
    const body = this.command(new Set());
    return { k: 'func', name, body: body ? [body] : [], span: this.spanFrom(start) };
  }

  private trailingRedirects(): void {
    while (isOp(this.peek()) && REDIRECT.has((this.peek() as { op: string }).op)) {
      this.i++;
      if (this.peek()?.kind === 'word') this.i++;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/** A value of the script: known text mapped to its source, or unknown with why. */
type Text = { readonly kind: 'known'; readonly text: MappedText } | { readonly kind: 'unknown'; readonly reason: string; readonly span: Span };

interface Frame {
  vars: Map<string, Value<string>>;
  exported: Set<string>;
  args: ShellWord[];
  workdir: Value<string>;
  fs: ContainerFs;
  layers: ContainerPathSource[];
  steps: ProcessStep[];
  unknowns: UnknownPart[];
  problems: ParseProblem[];
  functions: Map<string, Node[]>;
  read: string[];
  ran: RanCommand[];
  last?: { argv: ShellWord[]; span: Span; assigns: [string, Value<string>][] };
  depth: number;
}

class Stop {
  constructor(readonly outcome: 'exec' | 'exit' | 'unknown', readonly argv: ShellWord[] = []) {}
}

const BUILTIN_OR_UTILITY = new Set([
  'echo', 'printf', 'set', 'export', 'cd', 'mkdir', 'chown', 'chmod', 'chgrp', 'sleep', 'test', '[', '[[', 'true', 'false', ':',
  'rm', 'cp', 'mv', 'ln', 'cat', 'sed', 'envsubst', 'touch', 'exit', 'trap', 'wait', 'shift', 'unset', 'local', 'umask', 'ulimit',
  'source', '.', 'readonly', 'declare', 'typeset', 'alias', 'eval', 'return', 'shopt', 'cd', 'pushd', 'popd', 'date', 'id',
  'whoami', 'hostname', 'ls', 'find', 'grep', 'awk', 'tr', 'cut', 'head', 'tail', 'wc', 'tee', 'command', 'type', 'which',
  'install', 'usermod', 'useradd', 'groupadd', 'addgroup', 'adduser', 'getent', 'env', 'printenv', 'basename', 'dirname',
  'realpath', 'readlink', 'mktemp', 'stat', 'dig', 'nc', 'wget', 'curl', 'ping', 'until', 'read', 'let', 'expr', 'seq',
  'apt-get', 'apk', 'pip', 'update-ca-certificates', 'openssl', 'tput', 'logger', 'xargs', 'sort', 'uniq', 'jq', 'yq',
]);

/** The raw expression of a lexer substitution, or undefined for substitutions made before the script (compose's). */
function scriptSubs(m: MappedText): { start: number; end: number; raw: string }[] {
  return m.substitutions
    .filter((s) => s.unknownReason?.endsWith(` is ${DYNAMIC}`))
    .map((s) => ({ start: s.start, end: s.end, raw: m.text.slice(s.start, s.end) }));
}

function varValue(f: Frame, name: string, at: Span): Value<string> {
  if (/^\d$/.test(name)) {
    const n = Number(name);
    if (n === 0) return known('sh', at);
    const w = f.args[n - 1];
    return w ? w.value : known('', at);
  }
  if (name === '#') return known(String(f.args.length), at);
  if (name === '@' || name === '*') {
    if (f.args.some((a) => a.value.kind === 'unknown')) return unknown('an argument is unknown', at);
    return known(f.args.map((a) => (a.value as { value: string }).value).join(' '), at);
  }
  if (name === '?' || name === '$' || name === '!' || name === '-') return unknown(`$${name} is ${DYNAMIC}`, at);
  const v = f.vars.get(name);
  return v ?? known('', at, { isDefault: true });
}

function globMatch(pattern: string, text: string, anchored: 'prefix' | 'suffix' | 'whole', longest: boolean): number | undefined {
  const re = globToRegExp(pattern).source.slice(1, -1).replace(/\[\^\/\]\*/g, '.*').replace(/\[\^\/\]/g, '.');
  if (anchored === 'whole') return new RegExp(`^(?:${re})$`).test(text) ? text.length : undefined;
  const lens = [...Array(text.length + 1).keys()];
  if (longest) lens.reverse();
  for (const n of lens) {
    const piece = anchored === 'prefix' ? text.slice(0, n) : text.slice(text.length - n);
    if (new RegExp(`^(?:${re})$`).test(piece)) return n;
  }
  return undefined;
}

/** Evaluates one parameter expansion (`$X`, `${X:-d}`, `${1#-}`, ...); `$(...)` and arithmetic stay unknown. */
function expandRaw(f: Frame, raw: string, at: Span): Value<string> {
  if (raw.startsWith('$(') || raw.startsWith('`')) return unknown(`${raw} is the output of a command, ${DYNAMIC}`, at);
  let m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])$/.exec(raw);
  if (m) return varValue(f, m[1]!, at);
  m = /^\$\{(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?])(?:(:?[-=+?])(.*)|(##?|%%?)(.*))?\}$/s.exec(raw);
  if (!m) return unknown(`${raw} is ${DYNAMIC}`, at);
  const [, len, name, op, word, cut, pat] = m;
  const v = varValue(f, name!, at);
  const isSet = name === '@' || name === '*' || /^\d+$/.test(name!) ? Number(name) <= f.args.length || !/^\d+$/.test(name!) : f.vars.has(name!);
  if (len) return v.kind === 'known' ? known(String(v.value.length), at) : v;
  if (op) {
    const empty = v.kind === 'known' && v.value === '';
    const useAlt = op.startsWith(':') ? !isSet || empty : !isSet;
    const wordValue = (): Value<string> => expandInline(f, word ?? '', at);
    if (op.endsWith('-') || op.endsWith('=')) {
      if (v.kind === 'unknown' && isSet) return v;
      if (useAlt) {
        const d = wordValue();
        if (op.endsWith('=') && !/^\d+$/.test(name!)) f.vars.set(name!, d);
        return d;
      }
      return v;
    }
    if (op.endsWith('+')) {
      if (v.kind === 'unknown') return v;
      return useAlt ? known('', at) : wordValue();
    }
    // `${X:?message}` fails the script when X is empty; otherwise X.
    return v;
  }
  if (cut) {
    if (v.kind === 'unknown') return v;
    const p = expandInline(f, pat ?? '', at);
    if (p.kind === 'unknown') return p;
    const n = globMatch(p.value, v.value, cut.startsWith('#') ? 'prefix' : 'suffix', cut.length === 2);
    if (n === undefined) return v;
    return known(cut.startsWith('#') ? v.value.slice(n) : v.value.slice(0, v.value.length - n), at, v.via ? { via: v.via } : {});
  }
  return v;
}

/** `$VAR` and `${VAR...}` inside a default word (`${A:-$B}`), quotes removed. */
function expandInline(f: Frame, text: string, at: Span): Value<string> {
  let out = '';
  let i = 0;
  const t = text.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
  while (i < t.length) {
    if (t[i] === '$') {
      const m = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(t.slice(i));
      if (m) {
        const v = expandRaw(f, m[0], at);
        if (v.kind === 'unknown') return v;
        out += v.value;
        i += m[0].length;
        continue;
      }
    }
    out += t[i];
    i++;
  }
  return known(out, at);
}

/** A word with its expansions evaluated; `"$@"` becomes the positional words themselves. */
function expandWord(f: Frame, w: Word): ShellWord[] | Text {
  const subs = scriptSubs(w.text);
  if (subs.length === 0) return wordsFromList([w.text]);
  if (subs.length === 1 && subs[0]!.start === 0 && subs[0]!.end === w.text.text.length && /^\$(\{[@*]\}|[@*])$/.test(subs[0]!.raw)) {
    return f.args.map((a) => ({ ...a }));
  }
  const b = new MappedTextBuilder(w.text.file, w.text.whole);
  let at = 0;
  for (const s of subs) {
    b.pushMapped(clearSubs(w.text, at, s.start), 0);
    const span = rangeOf(w.text, s.start, s.end).span;
    const v = expandRaw(f, s.raw, span);
    if (v.kind === 'unknown') return { kind: 'unknown', reason: v.reason, span: v.span };
    b.pushSubstitution(v.value, span.start, span.end, [...(v.span.file !== span.file || v.span.start !== span.start ? [v.span] : []), ...(v.via ?? [])]);
    at = s.end;
  }
  b.pushMapped(clearSubs(w.text, at, w.text.text.length), 0);
  return wordsFromList([b.build()]);
}

/** A slice of a mapped text keeping only substitutions made before the script (compose's). */
function clearSubs(m: MappedText, from: number, to: number): MappedText {
  const b = new MappedTextBuilder(m.file, m.whole);
  b.pushMapped({ ...m, substitutions: m.substitutions.filter((s) => !s.unknownReason?.endsWith(` is ${DYNAMIC}`)) }, from, to);
  return b.build();
}

function expandWords(f: Frame, words: readonly Word[]): ShellWord[] | Text {
  const out: ShellWord[] = [];
  for (const w of words) {
    const e = expandWord(f, w);
    if (!Array.isArray(e)) return e;
    out.push(...e);
  }
  return out;
}

function plain(w: ShellWord | undefined): string | undefined {
  return w?.value.kind === 'known' ? w.value.value : undefined;
}

function expandOne(f: Frame, w: Word): Value<string> {
  const e = expandWord(f, w);
  if (!Array.isArray(e)) return e.kind === 'unknown' ? unknown(e.reason, e.span) : known(e.text.text, w.at);
  if (e.length !== 1) return known(e.map((x) => plain(x) ?? '').join(' '), w.at);
  return e[0]!.value;
}

/** The content a word's text (a heredoc body) has once its `$VAR`s are evaluated, mapped to the source. */
function expandText(f: Frame, m: MappedText): MappedText {
  const subs = scriptSubs(m);
  if (subs.length === 0) return m;
  const b = new MappedTextBuilder(m.file, m.whole);
  let at = 0;
  for (const s of subs) {
    b.pushMapped(clearSubs(m, at, s.start));
    const span = rangeOf(m, s.start, s.end).span;
    const v = expandRaw(f, s.raw, span);
    if (v.kind === 'unknown') b.pushSubstitution(s.raw, span.start, span.end, [], v.reason);
    else b.pushSubstitution(v.value, span.start, span.end, [...(v.span.file !== span.file ? [v.span] : []), ...(v.via ?? [])]);
    at = s.end;
  }
  b.pushMapped(clearSubs(m, at, m.text.length));
  return b.build();
}

/** `[ ... ]` / `test ...` / `[[ ... ]]` on known values: true, false, or unknown. */
function evalTest(f: Frame, argv: ShellWord[]): boolean | undefined {
  const name = plain(argv[0]);
  let args = argv.slice(1);
  if (name === '[' || name === '[[') args = args.slice(0, -1);
  const vals = args.map((a) => plain(a));
  const evalExpr = (xs: (string | undefined)[]): boolean | undefined => {
    const orAt = xs.findIndex((x) => x === '-o' || x === '||');
    if (orAt > 0) {
      const a = evalExpr(xs.slice(0, orAt));
      const b = evalExpr(xs.slice(orAt + 1));
      return a === true || b === true ? true : a === false && b === false ? false : undefined;
    }
    const andAt = xs.findIndex((x) => x === '-a' || x === '&&');
    if (andAt > 0) {
      const a = evalExpr(xs.slice(0, andAt));
      const b = evalExpr(xs.slice(andAt + 1));
      return a === false || b === false ? false : a === true && b === true ? true : undefined;
    }
    if (xs[0] === '!') {
      const r = evalExpr(xs.slice(1));
      return r === undefined ? undefined : !r;
    }
    if (xs.length === 0) return false;
    if (xs.some((x) => x === undefined)) return undefined;
    const s = xs as string[];
    if (s.length === 1) return s[0] !== '';
    if (s.length === 2) {
      const [op, x] = s as [string, string];
      if (op === '-z') return x === '';
      if (op === '-n') return x !== '';
      if (op === '-f' || op === '-e' || op === '-r' || op === '-s' || op === '-x' || op === '-d') {
        const st = f.fs.state(posix.resolve(f.workdir.kind === 'known' ? f.workdir.value : '/', x));
        if (op === '-d') return undefined;
        if (st.kind === 'file' || st.kind === 'image-default') return true;
        return undefined;
      }
      return undefined;
    }
    if (s.length === 3) {
      const [a, op, b] = s as [string, string, string];
      if (op === '=' || op === '==') return name === '[[' ? globMatch(b, a, 'whole', true) !== undefined : a === b;
      if (op === '!=') return name === '[[' ? globMatch(b, a, 'whole', true) === undefined : a !== b;
      const na = Number(a);
      const nb = Number(b);
      if (!/^-?\d+$/.test(a) || !/^-?\d+$/.test(b)) return undefined;
      if (op === '-eq') return na === nb;
      if (op === '-ne') return na !== nb;
      if (op === '-gt') return na > nb;
      if (op === '-ge') return na >= nb;
      if (op === '-lt') return na < nb;
      if (op === '-le') return na <= nb;
    }
    return undefined;
  };
  return evalExpr(vals);
}

function cwd(f: Frame): string {
  return f.workdir.kind === 'known' ? f.workdir.value : '/';
}

function abs(f: Frame, p: string): string {
  return posix.resolve(cwd(f), p);
}

function pushLayer(f: Frame, l: ContainerPathSource): void {
  f.layers.push(l);
  f.fs = f.fs.with([l]);
}

function markUnknownFile(f: Frame, path: string, reason: string, span: Span): void {
  pushLayer(f, { containerPath: abs(f, path), hostPath: '', isDir: false, via: span, opaque: true, origin: { kind: 'unknown', reason, via: span } });
  f.unknowns.push({ what: abs(f, path), reason, span });
}

/** Runs a list of statements; a `Stop` is thrown by `exec` and `exit`. */
function runList(f: Frame, nodes: readonly Node[], ws: Workspace): boolean | undefined {
  let status: boolean | undefined = true;
  for (const n of nodes) status = runNode(f, n, ws);
  return status;
}

/** Names a branch assigns, and whether it may hand over or exit (then what follows is uncertain). */
function effects(nodes: readonly Node[]): { assigns: Set<string>; stops: Span | undefined; writes: Span[]; targets: string[] } {
  const assigns = new Set<string>();
  const writes: Span[] = [];
  const targets: string[] = [];
  let stops: Span | undefined;
  const visit = (n: Node) => {
    if (n.k === 'simple') {
      const first = n.words[0]?.text.text;
      for (const w of n.words) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text.text);
        if (m && (n.words.indexOf(w) === 0 || first === 'export' || first === 'readonly' || first === 'local')) assigns.add(m[1]!);
      }
      if (first === 'exec' && n.words.length > 1) stops ??= n.span;
      // `exit 1` in a branch is the failure path (a readiness loop that gives up): the container then
      // stops, it runs no other program, so what it runs when it starts is still what follows.
      if (first === 'exit' && !/^[1-9][0-9]*$/.test(n.words[1]?.text.text ?? '')) stops ??= n.span;
      if (n.redirects.some((r) => r.op === '>' || r.op === '>>' || r.op === '>|') || ['sed', 'cp', 'mv', 'rm', 'ln', 'envsubst', 'tee'].includes(first ?? '')) writes.push(n.span);
      for (const r of n.redirects) if ((r.op === '>' || r.op === '>>' || r.op === '>|') && r.target) targets.push(r.target.text.text);
      if (first === 'cp' || first === 'mv' || first === 'ln') {
        const last = n.words[n.words.length - 1]?.text.text;
        if (last && n.words.length > 2) targets.push(last);
      }
      return;
    }
    if (n.k === 'if') {
      n.branches.forEach((b) => {
        b.cond.forEach(visit);
        b.body.forEach(visit);
      });
      n.otherwise?.forEach(visit);
    } else if (n.k === 'case') n.arms.forEach((a) => a.body.forEach(visit));
    else if (n.k === 'loop' || n.k === 'group' || n.k === 'func') n.body.forEach(visit);
    else if (n.k === 'andor') {
      visit(n.first);
      n.rest.forEach((r) => visit(r.node));
    } else if (n.k === 'not') visit(n.node);
  };
  nodes.forEach(visit);
  return { assigns, stops, writes, targets };
}

/** A branch that cannot be decided: what it might change becomes unknown. */
function skipUndecided(f: Frame, branches: readonly (readonly Node[])[], reason: string, span: Span): void {
  for (const b of branches) {
    const e = effects(b);
    for (const name of e.assigns) f.vars.set(name, unknown(`${name} is set in a branch arena-lint cannot decide (${reason})`, span));
    if (e.stops) {
      f.unknowns.push({ what: 'process', reason: `the script may exec or exit in a branch it cannot decide (${reason})`, span: e.stops });
      throw new Stop('unknown');
    }
    // Files such a branch may change keep the content they have without it; inspect lists the change.
    for (const w of e.writes) f.unknowns.push({ what: 'file change', reason: `a file may be changed in a branch arena-lint cannot decide (${reason})`, span: w });
    // A file such a branch may create, possibly under a name only known when it runs: its folder may hold more than is seen.
    for (const t of e.targets) {
      const literal = t.split('$')[0]!;
      if (!literal.startsWith('/') && f.workdir.kind !== 'known') continue;
      const path = abs(f, literal);
      const dir = t.includes('$') ? (literal.endsWith('/') ? path : posix.dirname(path)) : posix.dirname(path);
      if (!t.includes('$') && f.fs.state(path).kind === 'file') continue;
      pushLayer(f, { containerPath: dir, hostPath: '', isDir: true, via: span, incomplete: true, origin: { kind: 'unknown', reason: `files may be written here in a branch arena-lint cannot decide (${reason})`, via: span } });
    }
  }
  f.unknowns.push({ what: 'branch', reason, span });
}

function runNode(f: Frame, n: Node, ws: Workspace): boolean | undefined {
  switch (n.k) {
    case 'simple':
      return runSimple(f, n, ws);
    case 'not': {
      const r = runNode(f, n.node, ws);
      return r === undefined ? undefined : !r;
    }
    case 'andor': {
      let status = runNode(f, n.first, ws);
      let prev = n.first;
      for (const r of n.rest) {
        // `manage.py migrate && gunicorn`: a running container is one whose start-up steps succeeded (when
        // one fails, the chain stops and the container exits), so what follows a one-shot step runs.
        if (status === undefined && r.op === '&&' && succeedsWhenRunning(f, prev)) status = true;
        prev = r.node;
        if (status === undefined) {
          skipUndecided(f, [[r.node]], 'it runs only when an earlier command succeeds or fails', nodeSpan(r.node));
          continue;
        }
        if ((r.op === '&&' && status) || (r.op === '||' && !status)) status = runNode(f, r.node, ws);
      }
      return status;
    }
    case 'group':
      if (n.subshell) {
        const saved = { vars: new Map(f.vars), workdir: f.workdir, args: [...f.args] };
        try {
          return runList(f, n.body, ws);
        } catch (e) {
          if (e instanceof Stop && e.outcome === 'exit') return true;
          throw e;
        } finally {
          f.vars = saved.vars;
          f.workdir = saved.workdir;
          f.args = saved.args;
        }
      }
      return runList(f, n.body, ws);
    case 'func':
      f.functions.set(n.name, n.body);
      return true;
    case 'loop': {
      // A `for` over words known statically is unrolled; other loops usually wait for a dependency
      // (`until nc -z db 5432; do sleep 1; done`) and their body is not followed.
      if (n.forVar) {
        const expanded = n.items ? expandWords(f, n.items) : f.args;
        // Unquoted glob words name the container's files (`for f in /etc/nginx/conf.d/*.conf`).
        const values = Array.isArray(expanded) ? expanded.flatMap((v, k) => {
          const t = plain(v);
          const quoted = n.items?.[k]?.quoted ?? true;
          if (t === undefined || quoted || !/[*?[]/.test(t)) return [v];
          const hits = f.fs.glob(abs(f, t));
          return hits.length ? hits.map((h) => ({ ...v, value: known(h.containerPath, v.value.span) })) : [v];
        }) : expanded;
        if (Array.isArray(values) && values.length <= 32 && values.every((v) => v.value.kind === 'known')) {
          let status: boolean | undefined = true;
          for (const v of values) {
            f.vars.set(n.forVar, v.value);
            status = runList(f, n.body, ws);
          }
          return status;
        }
      }
      skipUndecided(f, [n.body], 'a loop body is not followed', n.span);
      return true;
    }
    case 'if': {
      const undecided: Node[][] = [];
      for (const b of n.branches) {
        const c = runConditions(f, b.cond, ws);
        if (c === true && undecided.length === 0) return runList(f, b.body, ws);
        if (c === true) {
          undecided.push(b.body);
          break;
        }
        if (c === undefined) undecided.push(b.body);
      }
      const taken = n.otherwise;
      if (undecided.length === 0) return taken ? runList(f, taken, ws) : true;
      skipUndecided(f, [...undecided, ...(taken ? [taken] : [])], 'an if condition depends on a value arena-lint does not know', n.span);
      return true;
    }
    case 'case': {
      const subject = expandOne(f, n.subject);
      if (subject.kind === 'unknown') {
        skipUndecided(f, n.arms.map((a) => a.body), `case on an unknown value: ${subject.reason}`, n.span);
        return true;
      }
      for (const arm of n.arms) {
        let undecided = false;
        for (const p of arm.patterns) {
          const pv = expandOne(f, p);
          if (pv.kind === 'unknown') {
            undecided = true;
            continue;
          }
          if (globMatch(pv.value.replace(/^\((.*)$/, '$1'), subject.value, 'whole', true) !== undefined) {
            f.steps.push({ description: `case takes the ${pv.value}) arm for ${JSON.stringify(subject.value)}`, span: p.at });
            return runList(f, arm.body, ws);
          }
        }
        if (undecided) {
          skipUndecided(f, [arm.body], 'a case pattern is unknown', n.span);
          return true;
        }
      }
      return true;
    }
  }
}

function runConditions(f: Frame, cond: readonly Node[], ws: Workspace): boolean | undefined {
  // Only the last command's status decides; earlier ones still run.
  let status: boolean | undefined = true;
  for (const c of cond) status = runNode(f, c, ws);
  return status;
}

function nodeSpan(n: Node): Span {
  if (n.k === 'andor') return nodeSpan(n.first);
  if (n.k === 'not') return nodeSpan(n.node);
  return n.span;
}

function runSimple(f: Frame, n: Extract<Node, { k: 'simple' }>, ws: Workspace): boolean | undefined {
  // Leading assignments: `A=1 B=2 cmd` sets them for cmd only; alone they set shell variables.
  let i = 0;
  const assigns: [string, Value<string>][] = [];
  while (i < n.words.length) {
    const w = n.words[i]!;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text.text);
    if (!m || (w.text.srcStart[0] !== undefined && w.quoted && w.text.text.indexOf('=') > m[1]!.length)) break;
    assigns.push([m[1]!, assignedValue(f, w, m[1]!.length + 1)]);
    i++;
  }
  if (i === n.words.length) {
    for (const [k, v] of assigns) f.vars.set(k, v);
    return true;
  }
  const expanded = expandWords(f, n.words.slice(i));
  if (!Array.isArray(expanded)) {
    const head = n.words[i]!.text.text;
    if (head === 'exec') {
      f.unknowns.push({ what: 'process', reason: `the exec'd command is unknown: ${expanded.kind === 'unknown' ? expanded.reason : ''}`, span: n.span });
      throw new Stop('unknown');
    }
    if (!BUILTIN_OR_UTILITY.has(head)) f.last = undefined;
    f.unknowns.push({ what: 'command', reason: expanded.kind === 'unknown' ? expanded.reason : 'unknown', span: n.span });
    return undefined;
  }
  let argv = expanded;
  const name = plain(argv[0]);
  if (name === undefined) return undefined;
  const base = posix.basename(name);
  switch (base) {
    case 'export':
    case 'readonly':
    case 'declare':
    case 'typeset':
    case 'local': {
      const isExport = base === 'export' || argv.some((w) => plain(w) === '-x');
      for (const w of n.words.slice(i + 1)) {
        const t = w.text.text;
        if (t.startsWith('-')) continue;
        const eq = t.indexOf('=');
        const key = eq < 0 ? t : t.slice(0, eq);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
        if (eq >= 0) f.vars.set(key, assignedValue(f, w, eq + 1));
        if (isExport) {
          f.exported.add(key);
          if (eq >= 0) f.steps.push({ description: `export ${key}`, span: w.at });
        }
      }
      return true;
    }
    case 'unset':
      for (const w of argv.slice(1)) {
        const k = plain(w);
        if (k && !k.startsWith('-')) {
          f.vars.delete(k);
          f.exported.delete(k);
        }
      }
      return true;
    case 'cd': {
      const target = argv[1];
      const t = plain(target);
      if (target && t === undefined) f.workdir = unknown('cd to an unknown folder', n.span);
      else if (t && t !== '-') {
        f.workdir = known(abs(f, t), n.span);
        f.steps.push({ description: `cd ${f.workdir.value}`, span: n.span });
      }
      return true;
    }
    case 'set': {
      const dd = argv.findIndex((w) => plain(w) === '--');
      if (dd > 0) {
        f.args = argv.slice(dd + 1);
        f.steps.push({ description: 'set -- replaces the positional arguments', span: n.span });
      }
      return true;
    }
    case 'shift': {
      const k = Number(plain(argv[1]) ?? '1');
      f.args = f.args.slice(Number.isFinite(k) ? k : 1);
      return true;
    }
    case 'exit':
      throw new Stop('exit');
    case 'return':
      return true;
    case 'eval': {
      // `eval export A=\$${name}_X`: the words, once expanded, are read again as a command.
      if (argv.length < 2 || f.depth > 6) return true;
      const b = new MappedTextBuilder(argv[1]!.text.file, argv[1]!.text.whole);
      argv.slice(1).forEach((w, k) => {
        if (k > 0) b.pushChar(' ', w.text.srcStart[0] ?? 0, w.text.srcStart[0] ?? 0);
        b.pushMapped(w.text);
      });
      f.depth++;
      try {
        runText(f, b.build(), ws);
      } finally {
        f.depth--;
      }
      return true;
    }
    case 'true':
    case ':':
      return true;
    case 'false':
      return false;
    case 'test':
    case '[':
    case '[[':
      return evalTest(f, argv);
    case '.':
    case 'source': {
      const p = plain(argv[1]);
      const hit = p ? f.fs.resolve(abs(f, p)) : undefined;
      if (!hit || f.depth > 6) {
        f.unknowns.push({ what: 'script', reason: `${p ?? 'the sourced file'} is not visible in the container`, span: n.span });
        return undefined;
      }
      const file = ws.read(hit.hostPath);
      if (!file) return undefined;
      f.steps.push({ description: `sources ${p}`, span: n.span });
      if (!f.read.includes(file.path)) f.read.push(file.path);
      const saved = f.args;
      if (argv.length > 2) f.args = argv.slice(2);
      runText(f, literalText(file.path, file.text, 0), ws);
      f.args = saved;
      return true;
    }
    case 'exec': {
      let k = 1;
      while (k < argv.length && /^-[acl]+$/.test(plain(argv[k]) ?? '')) k += plain(argv[k]) === '-a' ? 2 : 1;
      const rest = argv.slice(k);
      if (rest.length === 0) return true; // `exec >log 2>&1` only redirects.
      for (const [k2, v] of assigns) {
        f.vars.set(k2, v);
        f.exported.add(k2);
      }
      f.steps.push({ description: `exec ${plain(rest[0]) ?? ''} (${describeHandOver(n.words.slice(i + k))})`, span: n.span });
      throw new Stop('exec', rest);
    }
  }
  if (f.functions.has(base) && f.depth < 8) {
    const saved = f.args;
    f.args = argv.slice(1);
    f.depth++;
    try {
      runList(f, f.functions.get(base)!, ws);
    } finally {
      f.depth--;
      f.args = saved;
    }
    return true;
  }
  fileEffects(f, base, argv, n, ws);
  if (n.background) {
    f.steps.push({ description: `${base} starts in the background`, span: n.span });
    return true;
  }
  if (!BUILTIN_OR_UTILITY.has(base)) f.ran.push({ argv, span: n.span });
  // `A=1 gunicorn ...` sets A for that command only.
  if (!BUILTIN_OR_UTILITY.has(base) && !isOneShot(argv)) f.last = { argv, span: n.span, assigns };
  return undefined;
}

/** True when `n` is a one-shot start-up command (migrate, collectstatic, wait-for-it) that just ran. */
function succeedsWhenRunning(f: Frame, n: Node): boolean {
  if (n.k !== 'simple') return false;
  const last = f.ran[f.ran.length - 1];
  return last !== undefined && last.span === n.span && isOneShot([...last.argv]);
}

/** Commands that finish (migrations, static files, waiting for a database): never the main process. */
function isOneShot(argv: ShellWord[]): boolean {
  const words = argv.map((w) => plain(w) ?? '');
  const manage = words.findIndex((w) => /(^|\/)manage\.py$/.test(w) || w === 'django-admin');
  if (manage >= 0) {
    const sub = words[manage + 1] ?? '';
    return sub !== 'runserver' && sub !== 'runserver_plus' && sub !== 'run_huey' && sub !== 'qcluster' && !sub.startsWith('rq');
  }
  return /^(wait-for-it(\.sh)?|wait-for|dockerize|nc|pg_isready|alembic|python3?\s+-c)$/.test(posix.basename(words[0] ?? ''));
}

function describeHandOver(words: readonly Word[]): string {
  const raw = words.map((w) => w.text.text).join(' ');
  return /\$\{?[@*]/.test(raw) ? 'hands over to the arguments the script was given' : 'replaces the shell';
}

function assignedValue(f: Frame, w: Word, from: number): Value<string> {
  const slice = sliceWord(w, from);
  const e = expandWord(f, slice);
  if (!Array.isArray(e)) return e.kind === 'unknown' ? unknown(e.reason, e.span) : known(e.text.text, w.at);
  if (e.length === 0) return known('', w.at);
  const v = e.length === 1 ? e[0]!.value : known(e.map((x) => plain(x) ?? '').join(' '), w.at);
  if (v.kind === 'known' && v.value === '' && slice.text.text === '') return known('', w.at);
  return v;
}

function sliceWord(w: Word, from: number): Word {
  const m = w.text;
  const b = new MappedTextBuilder(m.file, m.whole);
  b.pushMapped(m, from, m.text.length);
  return { text: b.build(), at: w.at, quoted: w.quoted };
}

/** Files the command writes: envsubst, sed, cp, mv, rm, ln, and text redirected into a file. */
function fileEffects(f: Frame, base: string, argv: ShellWord[], n: Extract<Node, { k: 'simple' }>, ws: Workspace): void {
  const out = n.redirects.find((r) => (r.op === '>' || r.op === '>|' || r.op === '>>') && r.target);
  const input = n.redirects.find((r) => r.op === '<' && r.target);
  const heredoc = n.redirects.find((r) => r.heredoc)?.heredoc;
  const outPath = out?.target ? expandOne(f, out.target) : undefined;
  const inPath = input?.target ? expandOne(f, input.target) : undefined;
  const args = argv.slice(1).map(plain);
  const operands = args.filter((a) => a === undefined || !a.startsWith('-'));
  if (outPath && outPath.kind === 'unknown') {
    const reason = `a file is written whose name is unknown: ${outPath.reason}`;
    f.unknowns.push({ what: 'file', reason, span: n.span });
    const literal = out!.target!.text.text.split('$')[0]!;
    if (literal.startsWith('/') || f.workdir.kind === 'known') {
      const path = abs(f, literal || '.');
      pushLayer(f, { containerPath: literal.endsWith('/') || !literal ? path : posix.dirname(path), hostPath: '', isDir: true, via: n.span, incomplete: true, origin: { kind: 'unknown', reason, via: n.span } });
    }
    return;
  }
  const target = outPath?.kind === 'known' && outPath.value !== '/dev/null' && !outPath.value.startsWith('/dev/') ? abs(f, outPath.value) : undefined;
  if (base === 'envsubst' && target) {
    const src = inPath?.kind === 'known' ? f.fs.resolve(abs(f, inPath.value)) : undefined;
    if (!src) {
      markUnknownFile(f, target, `rendered by envsubst from ${inPath?.kind === 'known' ? inPath.value : 'an unknown file'}, which is not in the repository`, n.span);
      return;
    }
    const only = operands[0] !== undefined ? shellFormat(n.words[1]?.text.text ?? '') : undefined;
    const env = new Map<string, Value<string>>();
    for (const k of f.exported) {
      const v = f.vars.get(k);
      if (v) env.set(k, v);
    }
    const content = renderEnvsubst(ws, src, env, only);
    if (!content) return;
    pushLayer(f, renderedLayer(target, src, content, 'envsubst', n.span));
    f.steps.push({ description: `envsubst renders ${target} from ${src.containerPath}`, span: n.span });
    return;
  }
  if (base === 'sed') {
    sedEffects(f, argv, target, n, ws);
    return;
  }
  if ((base === 'cp' || base === 'mv' || base === 'ln') && operands.length >= 2) {
    const dest = operands[operands.length - 1];
    for (const s of operands.slice(0, -1)) {
      if (s === undefined || dest === undefined) {
        f.unknowns.push({ what: 'file', reason: `${base} with an unknown path`, span: n.span });
        continue;
      }
      const from = abs(f, s);
      const st = f.fs.state(from);
      const to = dest.endsWith('/') || operands.length > 2 ? posix.join(abs(f, dest), posix.basename(from)) : abs(f, dest);
      if (st.kind === 'file') {
        pushLayer(f, { containerPath: to, hostPath: st.file.hostPath, isDir: false, via: n.span, origin: st.file.origin, chain: [...(st.file.chain ?? []), st.file.via], ...(st.file.rendering ? { rendering: st.file.rendering } : {}) });
      } else {
        const below = f.fs.files().filter((x) => x.containerPath.startsWith(`${from}/`));
        if (below.length > 0) {
          for (const x of below) pushLayer(f, { containerPath: posix.join(to, x.containerPath.slice(from.length + 1)), hostPath: x.hostPath, isDir: false, via: n.span, origin: x.origin, chain: [...(x.chain ?? []), x.via] });
        } else markUnknownFile(f, to, `${base} from ${from}, which arena-lint cannot see`, n.span);
      }
      if (base === 'mv') pushLayer(f, { containerPath: from, hostPath: '', isDir: true, via: n.span, removed: true });
    }
    return;
  }
  if (base === 'rm') {
    for (const p of operands) {
      if (p === undefined || /[*?[]/.test(p)) continue;
      pushLayer(f, { containerPath: abs(f, p), hostPath: '', isDir: true, via: n.span, removed: true });
    }
    return;
  }
  if (target && (base === 'cat' || base === 'echo' || base === 'printf' || base === 'tee')) {
    const src = base === 'cat' && !heredoc && operands[0] ? f.fs.resolve(abs(f, operands[0])) : undefined;
    if (src) {
      pushLayer(f, { containerPath: target, hostPath: src.hostPath, isDir: false, via: n.span, origin: src.origin, chain: [...(src.chain ?? []), src.via] });
      return;
    }
    if (heredoc && out?.op !== '>>') {
      const content = expandText(f, heredoc.body);
      const file = n.span.file;
      pushLayer(f, {
        containerPath: target, hostPath: file, isDir: false, via: n.span,
        origin: { kind: 'rendered', template: file, renderer: 'heredoc', via: n.span },
        rendering: { content, renderer: 'heredoc' },
      });
      f.steps.push({ description: `writes ${target} from a heredoc`, span: n.span });
      return;
    }
    const printed = base === 'echo' || base === 'printf' ? printedText(base, argv) : undefined;
    if (printed && out?.op !== '>>') {
      pushLayer(f, {
        containerPath: target, hostPath: n.span.file, isDir: false, via: n.span,
        origin: { kind: 'rendered', template: n.span.file, renderer: base, via: n.span },
        rendering: { content: printed, renderer: base },
      });
      f.steps.push({ description: `writes ${target} with ${base}`, span: n.span });
      return;
    }
    markUnknownFile(f, target, `written by ${base} at start-up`, n.span);
    return;
  }
  if (target && !['echo', 'printf'].includes(base)) markUnknownFile(f, target, `written by ${base} at start-up`, n.span);
}

/** What `echo words` or `printf 'text'` prints, mapped to the script; undefined for forms not followed. */
function printedText(base: string, argv: ShellWord[]): MappedText | undefined {
  let args = argv.slice(1);
  if (args.some((a) => a.value.kind !== 'known')) return undefined;
  const b = new MappedTextBuilder(args[0]?.text.file ?? '', args[0]?.text.whole ?? argv[0]!.text.whole);
  if (base === 'echo') {
    let newline = true;
    while (args[0] && /^-[neE]+$/.test(plain(args[0])!)) {
      if (plain(args[0])!.includes('n')) newline = false;
      args = args.slice(1);
    }
    args.forEach((a, k) => {
      if (k > 0) b.pushChar(' ', a.text.srcStart[0] ?? 0, a.text.srcStart[0] ?? 0);
      b.pushMapped(a.text);
    });
    const end = args[args.length - 1]?.text;
    // The newline echo adds sits after its last argument (srcEnd may be longer than the text).
    const at = end && end.text.length > 0 ? end.srcEnd[end.text.length - 1]! : (end?.whole.end ?? argv[0]!.text.whole.end);
    if (newline) b.pushChar('\n', at, at);
    return b.build();
  }
  const format = args[0];
  if (!format || args.length > 1 || /%/.test(plain(format)!)) return undefined;
  const t = format.text;
  for (let i = 0; i < t.text.length; i++) {
    if (t.text[i] === '\\' && t.text[i + 1] === 'n') {
      b.pushChar('\n', t.srcStart[i]!, t.srcEnd[i + 1]!);
      i++;
    } else b.pushMapped(t, i, i + 1);
  }
  return b.build();
}

/** `sed -i 's/a/b/' file` and `sed '/x/d' a > b`: applied when the script is one arena-lint can run on text. */
function sedEffects(f: Frame, argv: ShellWord[], target: string | undefined, n: Extract<Node, { k: 'simple' }>, ws: Workspace): void {
  const words = argv.slice(1).map(plain);
  let inPlace = false;
  let extended = false;
  let quietOrUnknown = false;
  const scripts: string[] = [];
  const files: (string | undefined)[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (w === undefined) {
      files.push(undefined);
      continue;
    }
    if (w === '-e' || w === '--expression') {
      const sc = words[++k];
      if (sc === undefined) quietOrUnknown = true;
      else scripts.push(sc);
    } else if (/^--in-place/.test(w) || /^-[a-zA-Z]*i/.test(w)) {
      inPlace = true;
      if (/E|r/.test(w.replace(/^-+/, ''))) extended = true;
    } else if (w === '-E' || w === '-r' || w === '--regexp-extended') extended = true;
    else if (w === '-n' || w === '--quiet' || w.startsWith('-f')) quietOrUnknown = true;
    else if (w.startsWith('-')) continue;
    else if (scripts.length === 0 && !words.slice(0, k).some((x) => x === '-e' || x === '--expression')) scripts.push(w);
    else files.push(w);
  }
  const commands = quietOrUnknown ? undefined : parseSed(scripts.join('\n'), extended);
  const edit = (from: string, to: string) => {
    const st = f.fs.state(abs(f, from));
    if (st.kind !== 'file') {
      if (st.kind === 'unknown') markUnknownFile(f, to, `edited by sed from ${from}, which is unknown`, n.span);
      return;
    }
    const base = st.file.rendering?.content ?? (() => {
      const file = ws.read(st.file.hostPath);
      return file ? literalText(file.path, file.text, 0) : undefined;
    })();
    if (!commands || !base) {
      markUnknownFile(f, to, 'edited by a sed script arena-lint does not apply', n.span);
      return;
    }
    pushLayer(f, renderedLayer(abs(f, to), st.file, applySed(base, commands), 'sed', n.span));
    f.steps.push({ description: `sed edits ${abs(f, to)}`, span: n.span });
  };
  if (inPlace) {
    for (const p of files) {
      if (p === undefined) f.unknowns.push({ what: 'file', reason: 'sed -i on a file whose name is unknown', span: n.span });
      else edit(p, p);
    }
  } else if (target && files[0] !== undefined) edit(files[0], target);
  else if (target) markUnknownFile(f, target, 'written by sed at start-up', n.span);
}

/** `envsubst '$A ${B}'`: the variables it is restricted to. */
function shellFormat(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)) out.add(m[1]!);
  return out;
}

function runText(f: Frame, text: MappedText, ws: Workspace): void {
  const problems: ParseProblem[] = [];
  const tokens = new Lexer(text, problems, undefined, false).run();
  f.problems.push(...problems);
  const nodes = new Parser(tokens, text.whole).list(new Set());
  runList(f, nodes, ws);
}

/** Reads a script statically and says what it hands over to. */
export function readScript(ws: Workspace, source: ScriptSource, input: ScriptInput): ScriptResult {
  let text: MappedText | undefined;
  if (source.kind === 'inline') text = source.text;
  else {
    const file = ws.read(source.path);
    if (file) text = literalText(file.path, file.text, 0);
  }
  const vars = new Map(input.env);
  const f: Frame = {
    vars, exported: new Set(input.env.keys()), args: [...input.args], workdir: input.workdir, fs: input.fs, layers: [],
    steps: [], unknowns: [], problems: [], functions: new Map(), read: [], ran: [], depth: 0,
  };
  const env = (): Map<string, Value<string>> => {
    const out = new Map<string, Value<string>>();
    for (const k of f.exported) {
      const v = f.vars.get(k);
      if (v) out.set(k, v);
    }
    return out;
  };
  const result = (outcome: ScriptResult['outcome'], argv: readonly ShellWord[]): ScriptResult => ({
    outcome, argv, env: outcome === 'last' && f.last ? new Map([...env(), ...f.last.assigns]) : env(), workdir: f.workdir, steps: f.steps, unknowns: f.unknowns, layers: f.layers, problems: f.problems, read: f.read,
    // The last command, when it is what the script hands over to, is the main process, not a command run before it.
    // What runs after it in the script never runs while it does (`uwsgi ...` in the foreground, then `migrate`).
    ran: outcome === 'last' && f.last ? f.ran.slice(0, Math.max(0, f.ran.findIndex((r) => r.span === f.last!.span))) : f.ran,
  });
  if (!text) return result('unknown', []);
  try {
    runText(f, text, ws);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    if (e.outcome === 'exec') return result('exec', e.argv);
    if (e.outcome === 'unknown') return result('unknown', []);
    return result(f.last ? 'last' : 'none', f.last?.argv ?? []);
  }
  if (f.last) {
    f.steps.push({ description: `${plain(f.last.argv[0]) ?? 'the last command'} is the last command the script runs`, span: f.last.span });
    return result('last', f.last.argv);
  }
  return result('none', []);
}
