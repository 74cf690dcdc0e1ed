import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import { own } from '../core/own.js';
import { known, spanUnion, type Span } from '../core/value.js';
import { literalText, MappedTextBuilder, rangeOf, type MappedText } from './mapped-text.js';
import { Lexer, pipelines, type Command, type Word } from './shell-lexer.js';

const RUNTIME: ScriptTarget = { kind: 'runtime' };
import { looksLikeSysctlFile, normalizeSysctlKey, parseSysctlLine, sysctlSettingFromLine, type ScriptTarget, type SysctlSetting } from './sysctl.js';

/*
 * Finds the sysctls a host preparation script sets, without running it. This is not a shell
 * parser: it tokenizes POSIX shell well enough to recognise the handful of forms people use
 * (`sysctl -w k=v`, text appended to a sysctl file with echo, printf, tee or a heredoc, and writes
 * under /proc/sys) and ignores everything else. Values built from `$VAR`, `$(...)` or backticks are
 * only known when the script runs, so settings that depend on them are left out.
 */

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
