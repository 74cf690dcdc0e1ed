import type { SourceFile } from '../core/source.js';
import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import { PGBOUNCER_SETTINGS, pgbouncerDefault } from '../reference/pgbouncer-settings.js';

/**
 * pgbouncer.ini as pgbouncer itself reads it (libusual's `parse_ini_file`), not as generic INI:
 * `;` and `#` only start a comment at the beginning of a line, so `pool_mode = session ; x` has the
 * value `session ; x`; keys are case-sensitive; a value runs to the end of the line minus trailing
 * whitespace. https://www.pgbouncer.org/config.html#description
 */

export interface IniEntry {
  key: string;
  keySpan: Span;
  value: string;
  valueSpan: Span;
  /** The whole `key = value` line, without its line break. */
  span: Span;
}

export interface IniSection {
  /** As written between the brackets; pgbouncer matches section names case-sensitively. */
  name: string;
  nameSpan: Span;
  /** From `[` to the end of the section's last line. */
  span: Span;
  entries: IniEntry[];
}

export interface PgbouncerIni {
  path: string;
  /** In file order; a repeated header (a second `[pgbouncer]`) is its own section. */
  sections: IniSection[];
  includes: Array<{ path: string; span: Span }>;
  /** Keys before any section header: an error in a file of its own, but in a `%include`d file they join the includer's section. */
  leading?: IniEntry[];
}

// libusual accepts these characters in a bare key; newer pgbouncer also takes a "quoted" database name.
const KEY_CHAR = /[A-Za-z0-9_.\-*]/;

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\f' || ch === '\v';
}

export function parsePgbouncerIni(file: SourceFile): ParseResult<PgbouncerIni> {
  const text = file.text;
  const span = (start: number, end: number): Span => ({ file: file.path, start, end });
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  const sections: IniSection[] = [];
  const includes: PgbouncerIni['includes'] = [];
  const leading: IniEntry[] = [];
  let current: IniSection | undefined;

  const lineEndFrom = (pos: number): number => {
    const nl = text.indexOf('\n', pos);
    return nl === -1 ? text.length : nl;
  };
  const trimEnd = (start: number, end: number): number => {
    while (end > start && isSpace(text[end - 1])) end--;
    return end;
  };
  const extendSection = (end: number): void => {
    if (current) current.span = span(current.span.start, Math.max(current.span.end, end));
  };

  let p = 0;
  while (p < text.length) {
    // Leading whitespace, blank lines included, is skipped exactly as libusual does.
    while (p < text.length && isSpace(text[p])) p++;
    if (p >= text.length) break;
    const lineEnd = lineEndFrom(p);
    const ch = text[p];

    if (ch === '#' || ch === ';') {
      const end = trimEnd(p, lineEnd);
      comments.push({ text: text.slice(p + 1, end).trim(), span: span(p, end) });
      p = lineEnd;
      continue;
    }

    if (ch === '[') {
      const close = text.indexOf(']', p);
      if (close === -1 || close > lineEnd) {
        problems.push({ message: 'Section header is missing its closing "]"', span: span(p, trimEnd(p, lineEnd)) });
        p = lineEnd;
        continue;
      }
      current = { name: text.slice(p + 1, close), nameSpan: span(p + 1, close), span: span(p, close + 1), entries: [] };
      sections.push(current);
      // libusual carries on right after "]": a comment, another header or even a key may follow on the same line.
      p = close + 1;
      continue;
    }

    if (ch === '%') {
      const end = trimEnd(p, lineEnd);
      const directive = /^%include(?=[ \t])/.exec(text.slice(p, end));
      if (directive) {
        let pathStart = p + directive[0].length;
        while (pathStart < end && isSpace(text[pathStart])) pathStart++;
        if (pathStart < end) includes.push({ path: text.slice(pathStart, end), span: span(pathStart, end) });
        else problems.push({ message: '%include needs a file name', span: span(p, end) });
      } else {
        problems.push({ message: 'Unknown directive; pgbouncer only knows %include', span: span(p, end) });
      }
      extendSection(end);
      p = lineEnd;
      continue;
    }

    const entry = readEntry(p, lineEnd);
    if ('problem' in entry) {
      problems.push(entry.problem);
    } else if (!current) {
      problems.push({ message: `"${entry.key}" is set outside any section`, span: entry.span });
      leading.push(entry);
    } else {
      current.entries.push(entry);
      extendSection(entry.span.end);
    }
    p = lineEnd;
  }

  return { doc: { path: file.path, sections, includes, ...(leading.length ? { leading } : {}) }, problems, comments };

  function readEntry(start: number, lineEnd: number): IniEntry | { problem: ParseProblem } {
    let q = start;
    let key: string;
    if (text[q] === '"') {
      // Quoted database names use SQL identifier quoting: "" stands for one quote.
      let out = '';
      q++;
      for (;;) {
        if (q >= lineEnd) {
          return { problem: { message: 'Quoted name is missing its closing quote', span: span(start, trimEnd(start, lineEnd)) } };
        }
        if (text[q] === '"') {
          if (text[q + 1] === '"') { out += '"'; q += 2; continue; }
          q++;
          break;
        }
        out += text[q];
        q++;
      }
      key = out;
    } else {
      while (q < lineEnd && KEY_CHAR.test(text[q]!)) q++;
      key = text.slice(start, q);
    }
    const keyEnd = q;
    while (q < lineEnd && (text[q] === ' ' || text[q] === '\t')) q++;
    if (text[q] !== '=') {
      const at = q < lineEnd ? q : start;
      return { problem: { message: keyEnd === start ? 'Expected "key = value"' : `Expected "=" after "${key}"`, span: span(at, trimEnd(at, lineEnd) || at + 1) } };
    }
    if (keyEnd === start) {
      return { problem: { message: 'Missing key before "="', span: span(q, q + 1) } };
    }
    q++;
    while (q < lineEnd && (text[q] === ' ' || text[q] === '\t')) q++;
    const valueEnd = Math.max(q, trimEnd(q, lineEnd));
    return {
      key,
      keySpan: span(start, keyEnd),
      value: text.slice(q, valueEnd),
      valueSpan: span(q, valueEnd),
      span: span(start, valueEnd),
    };
  }
}

/**
 * Reads a `[databases]` connection string: `key=value` pairs separated by whitespace, spaces around
 * `=` allowed, values quoted with `'...'` (`''` or `\'` for a quote). The last of a repeated key
 * wins. Values stay strings; `${VAR}` is kept literally (pgbouncer never expands it).
 */
export function parseDatabaseEntry(entry: IniEntry): { params: Map<string, Known<string>>; problems: ParseProblem[] } {
  const params = new Map<string, Known<string>>();
  const problems: ParseProblem[] = [];
  const text = entry.value;
  const base = entry.valueSpan.start;
  const span = (start: number, end: number): Span => ({ file: entry.valueSpan.file, start: base + start, end: base + end });
  let p = 0;
  const skipSpace = (): void => {
    while (p < text.length && isSpace(text[p])) p++;
  };
  for (;;) {
    skipSpace();
    if (p >= text.length) break;
    const keyStart = p;
    while (p < text.length && !isSpace(text[p]) && text[p] !== '=') p++;
    const key = text.slice(keyStart, p);
    const keyEnd = p;
    skipSpace();
    if (text[p] !== '=' || key === '') {
      problems.push({ message: key === '' ? 'Missing parameter name before "="' : `Expected "=" after "${key}"`, span: span(keyStart, Math.max(keyEnd, keyStart + 1)) });
      // A lone word is dropped; what follows it is read as the next pair.
      if (key === '') p++;
      continue;
    }
    p++;
    skipSpace();
    const valueStart = p;
    let value = '';
    if (text[p] === "'") {
      p++;
      let closed = false;
      while (p < text.length) {
        const c = text[p]!;
        if (c === '\\' && p + 1 < text.length) { value += text[p + 1]; p += 2; continue; }
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
        problems.push({ message: `Value of "${key}" is missing its closing quote`, span: span(valueStart, text.length) });
        break;
      }
    } else {
      while (p < text.length && !isSpace(text[p])) p++;
      value = text.slice(valueStart, p);
    }
    params.set(key, known(value, span(valueStart, p)));
  }
  return { params, problems };
}

const PLACEHOLDER = /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/;

/**
 * The `[pgbouncer]` settings pgbouncer would run with. A second `[pgbouncer]` header makes libusual
 * refill every key with its default, so only the last such section counts. Values with `${VAR}` are
 * unknown: pgbouncer reads them literally, but images often render the file with envsubst first.
 * A key that a later `%include` may set is unknown too. Every catalog key is present; absent ones
 * are the documented default, placed at the `[pgbouncer]` header.
 */
export function effectivePgbouncerSettings(ini: PgbouncerIni, version?: string): Map<string, Value<string>> {
  const out = new Map<string, Value<string>>();
  const section = [...ini.sections].reverse().find((s) => s.name === 'pgbouncer');
  // The header is `[` name `]`: where an absent setting would be added.
  const headerSpan: Span = section
    ? { file: ini.path, start: section.span.start, end: section.nameSpan.end + 1 }
    : { file: ini.path, start: 0, end: 0 };
  const sectionStart = section?.span.start ?? 0;
  const lastIncludeAfter = (offset: number) =>
    [...ini.includes].reverse().find((inc) => inc.span.start > offset && inc.span.start > sectionStart);

  for (const setting of PGBOUNCER_SETTINGS) {
    const fallback = pgbouncerDefault(setting.name, version);
    const laterInclude = lastIncludeAfter(sectionStart);
    if (laterInclude) out.set(setting.name, unknown(`may be set by %include ${laterInclude.path}`, laterInclude.span));
    else out.set(setting.name, known(fallback ?? '', headerSpan, { isDefault: true }));
  }
  for (const entry of section?.entries ?? []) {
    const laterInclude = lastIncludeAfter(entry.span.end);
    if (laterInclude) {
      out.set(entry.key, unknown(`may be overridden by %include ${laterInclude.path}`, entry.valueSpan));
    } else if (PLACEHOLDER.test(entry.value)) {
      out.set(entry.key, unknown(`${JSON.stringify(entry.value)} has a placeholder that pgbouncer does not expand itself`, entry.valueSpan));
    } else {
      out.set(entry.key, known(entry.value, entry.valueSpan));
    }
  }
  return out;
}
