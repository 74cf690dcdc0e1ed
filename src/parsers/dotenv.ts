import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import { known, unknown, type Span, type Value } from '../core/value.js';
import { interpolate, type VariableSource } from './interpolate.js';
import { MappedTextBuilder, rangeOf } from './mapped-text.js';

export interface EnvFileEntry {
  readonly key: string;
  readonly keySpan: Span;
  /** Unknown when it leans on a variable the file cannot resolve, or when the key has no `=` (taken from the shell). */
  readonly value: Value<string>;
  readonly span: Span;
}

export interface EnvFile {
  readonly path: string;
  readonly entries: readonly EnvFileEntry[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*/;

/**
 * Compose's env-file format: `KEY=VALUE`, optional `export `, `#` comments, single quotes literal,
 * double quotes with escapes, unquoted values cut at ` #`. `${VAR}` refers to earlier keys of the same
 * file. Never dotenv-expand: it runs `$(...)`, and we must never run anything.
 */
export function parseEnvFile(file: SourceFile): ParseResult<EnvFile> {
  const entries: EnvFileEntry[] = [];
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  const seen = new Map<string, { value: string; span: Span }>();
  const vars: VariableSource = { lookup: (name) => seen.get(name) };
  const text = file.text;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const raw = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const indent = raw.length - raw.trimStart().length;
    let body = raw.trimStart();
    let at = lineStart + indent;
    if (body.startsWith('#')) {
      comments.push({ text: body.slice(1), span: { file: file.path, start: at, end: at + body.trimEnd().length } });
    } else if (body.trim().length > 0) {
      if (body.startsWith('export ')) {
        body = body.slice(7).trimStart();
        at = lineStart + raw.length - body.length;
      }
      const key = KEY.exec(body)?.[0];
      const keySpan = { file: file.path, start: at, end: at + (key?.length ?? body.length) };
      if (!key) {
        problems.push({ message: `expected KEY=VALUE, found "${body.trim()}"`, span: keySpan });
      } else {
        const rest = body.slice(key.length);
        const eq = rest.indexOf('=');
        const lineSpan = { file: file.path, start: at, end: at + body.trimEnd().length };
        if (eq < 0 || rest.slice(0, eq).trim() !== '') {
          if (rest.trim() === '') {
            entries.push({ key, keySpan, value: unknown(`${key} has no value in ${file.path}; compose takes it from the shell`, keySpan), span: lineSpan });
          } else {
            problems.push({ message: `expected "=" after ${key}`, span: { file: file.path, start: keySpan.end, end: keySpan.end + 1 } });
          }
        } else {
          const valueOffset = at + key.length + eq + 1;
          const value = readValue(file, text.slice(valueOffset, lineStart + raw.length), valueOffset, vars, comments, problems);
          seen.set(key, value.kind === 'known' ? { value: value.value, span: value.span } : { value: '', span: value.span });
          entries.push({ key, keySpan, value, span: lineSpan });
        }
      }
    }
    lineStart = lineEnd + 1;
  }
  return { doc: { path: file.path, entries }, problems, comments };
}

function readValue(
  file: SourceFile, rawValue: string, offset: number, vars: VariableSource, comments: Comment[], problems: ParseProblem[],
): Value<string> {
  const lead = rawValue.length - rawValue.trimStart().length;
  const v = rawValue.slice(lead);
  const start = offset + lead;
  const b = new MappedTextBuilder(file.path, { file: file.path, start, end: start + v.trimEnd().length });
  const q = v[0];
  if (q === "'" || q === '"') {
    let i = 1;
    let closed = false;
    while (i < v.length) {
      const ch = v[i]!;
      if (ch === q) {
        closed = true;
        break;
      }
      if (q === '"' && ch === '\\' && i + 1 < v.length) {
        const esc = v[i + 1]!;
        b.pushChar(esc === 'n' ? '\n' : esc === 't' ? '\t' : esc === 'r' ? '\r' : esc, start + i, start + i + 2);
        i += 2;
        continue;
      }
      b.pushChar(ch, start + i, start + i + 1);
      i++;
    }
    if (!closed) problems.push({ message: `unterminated ${q === '"' ? 'double' : 'single'}-quoted value`, span: { file: file.path, start, end: start + 1 } });
    const after = v.slice(i + 1);
    const hash = after.indexOf('#');
    if (hash >= 0) comments.push({ text: after.slice(hash + 1), span: { file: file.path, start: start + i + 1 + hash, end: start + v.trimEnd().length } });
    const mapped = b.build();
    return finish(q === "'" ? mapped : interpolate(mapped, vars), start);
  }
  // Unquoted: an inline comment needs whitespace before `#`.
  const hash = /(^|\s)#/.exec(v);
  const valueText = (hash ? v.slice(0, hash.index) : v).trimEnd();
  if (hash) comments.push({ text: v.slice(hash.index + hash[0].length), span: { file: file.path, start: start + hash.index + hash[1]!.length, end: start + v.trimEnd().length } });
  for (let i = 0; i < valueText.length; i++) b.pushChar(valueText[i]!, start + i, start + i + 1);
  return finish(interpolate(b.build(), vars), start);
}

function finish(m: ReturnType<MappedTextBuilder['build']>, start: number): Value<string> {
  const r = rangeOf(m, 0, m.text.length);
  const span = m.text.length === 0 ? { file: m.file, start, end: start } : r.span;
  if (r.unknownReason !== undefined) return unknown(r.unknownReason, span);
  return known(m.text, span, { via: r.via });
}
