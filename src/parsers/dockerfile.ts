import type { Comment, ParseResult } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { MappedTextBuilder, type MappedText } from './mapped-text.js';
import { splitShellWords, wordsFromList, type ShellWord } from './shell-words.js';

export interface DockerInstruction {
  /** Upper-cased keyword. */
  readonly keyword: string;
  /** Arguments joined across line continuations, mapped to the source. */
  readonly args: MappedText;
  readonly span: Span;
}

export interface Dockerfile {
  readonly path: string;
  readonly instructions: readonly DockerInstruction[];
}

/** Parses per source file: every replica of a service builds from the same Dockerfile. Nothing mutates a result. */
const parsed = new WeakMap<SourceFile, ParseResult<Dockerfile>>();

/** Just enough of the Dockerfile grammar to follow FROM, COPY/ADD, WORKDIR, CMD and ENTRYPOINT. */
export function parseDockerfile(file: SourceFile): ParseResult<Dockerfile> {
  let r = parsed.get(file);
  if (!r) parsed.set(file, (r = parseDockerfileOnce(file)));
  return { ...r, problems: [...r.problems], comments: [...r.comments] };
}

function parseDockerfileOnce(file: SourceFile): ParseResult<Dockerfile> {
  const instructions: DockerInstruction[] = [];
  const comments: Comment[] = [];
  const lines = file.text.split('\n');
  let offset = 0;
  let cur: { keyword: string; b: MappedTextBuilder; start: number; end: number } | undefined;
  const finish = () => {
    if (cur) instructions.push({ keyword: cur.keyword, args: cur.b.build(), span: { file: file.path, start: cur.start, end: cur.end } });
    cur = undefined;
  };
  for (const rawLine of lines) {
    const line = rawLine.replace(/\r$/, '');
    const lineOffset = offset;
    offset += rawLine.length + 1;
    const trimmed = line.trimStart();
    const indent = line.length - trimmed.length;
    if (trimmed.startsWith('#')) {
      comments.push({ text: trimmed.slice(1), span: { file: file.path, start: lineOffset + indent, end: lineOffset + line.length } });
      continue;
    }
    let body = line;
    let bodyOffset = lineOffset;
    if (!cur) {
      const m = /^(\s*)([A-Za-z]+)(\s+|$)/.exec(line);
      if (!m) continue;
      const start = lineOffset + m[1]!.length;
      cur = { keyword: m[2]!.toUpperCase(), b: new MappedTextBuilder(file.path, { file: file.path, start, end: lineOffset + line.length }), start, end: lineOffset + line.length };
      body = line.slice(m[0].length);
      bodyOffset = lineOffset + m[0].length;
    }
    const continued = /\\\s*$/.test(body);
    const content = continued ? body.replace(/\\\s*$/, '') : body;
    for (let i = 0; i < content.length; i++) cur.b.pushChar(content[i]!, bodyOffset + i, bodyOffset + i + 1);
    cur.end = lineOffset + line.length;
    if (continued) cur.b.pushChar(' ', bodyOffset + content.length, bodyOffset + content.length + 1);
    else finish();
  }
  finish();
  return { doc: { path: file.path, instructions }, problems: [], comments };
}

/** Words of an instruction in either exec form (`["a", "b"]`) or shell form. */
export function instructionWords(ins: DockerInstruction): { words: ShellWord[]; form: 'exec' | 'shell' } {
  const t = ins.args.text.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) {
        // Map each element back by searching for it in order; escapes are rare in these lines.
        let from = 0;
        const items = (arr as string[]).map((s) => {
          const at = ins.args.text.indexOf(s, from);
          const b = new MappedTextBuilder(ins.args.file, ins.args.whole);
          if (at >= 0) {
            b.pushMapped(ins.args, at, at + s.length);
            from = at + s.length;
          } else b.pushChar(s, ins.span.start, ins.span.end);
          return b.build();
        });
        return { words: wordsFromList(items), form: 'exec' };
      }
    } catch {
      // Not JSON: Docker then treats it as shell form.
    }
  }
  return { words: splitShellWords(ins.args), form: 'shell' };
}
