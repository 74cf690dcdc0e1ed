import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import { known, type Known, type Span } from '../core/value.js';

/** One `key = value` a sysctl file or a host script sets. */
export interface SysctlSetting {
  /** Dotted form (`net/core/somaxconn` is stored as `net.core.somaxconn`). */
  readonly key: string;
  readonly keySpan: Span;
  /** The value as the kernel receives it: surrounding whitespace removed, inner text untouched. */
  readonly value: Known<string>;
  /** The whole assignment, from the `-` or the key to the end of the value. */
  readonly span: Span;
  /** A leading `-`: systemd-sysctl and procps skip a key that cannot be written instead of failing. */
  readonly ignoreFailure: boolean;
  /**
   * Only for settings found in a shell script: `runtime` (`sysctl -w`, a write under /proc/sys) is lost
   * at the next reboot; `file` names the sysctl file the script writes the line into, which is applied
   * at boot. Absent for settings read from a sysctl file itself.
   */
  readonly scriptTarget?: ScriptTarget;
}

export type ScriptTarget = { readonly kind: 'runtime' } | { readonly kind: 'file'; readonly path: string };

/**
 * One line of a sysctl file, classified. Offsets are relative to the line text handed in, so the
 * same reader serves files (offset = line start) and text a shell script writes into a file.
 */
export type SysctlLine =
  | { readonly kind: 'blank' }
  | { readonly kind: 'comment'; readonly textStart: number; readonly textEnd: number; readonly markerStart: number }
  | {
      readonly kind: 'assignment';
      readonly start: number;
      readonly keyStart: number;
      readonly keyEnd: number;
      readonly valueStart: number;
      readonly valueEnd: number;
      readonly ignoreFailure: boolean;
    }
  | { readonly kind: 'invalid'; readonly message: string; readonly start: number; readonly end: number };

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v';

/**
 * Reads one line the way procps `sysctl -p` and systemd-sysctl do: `#` and `;` start a comment only
 * as the first non-blank character (a `#` after a value is part of the value), the key runs to the
 * first `=`, and the value is the rest with surrounding whitespace removed.
 */
export function parseSysctlLine(line: string): SysctlLine {
  let start = 0;
  while (start < line.length && isSpace(line[start])) start++;
  let end = line.length;
  while (end > start && isSpace(line[end - 1])) end--;
  if (start === end) return { kind: 'blank' };
  const first = line[start];
  if (first === '#' || first === ';') {
    let textStart = start + 1;
    while (textStart < end && isSpace(line[textStart])) textStart++;
    return { kind: 'comment', markerStart: start, textStart, textEnd: end };
  }
  const eq = line.indexOf('=', start);
  if (eq < 0 || eq >= end) {
    return { kind: 'invalid', message: 'expected "key = value"', start, end };
  }
  const ignoreFailure = first === '-';
  const keyStart = ignoreFailure ? start + 1 : start;
  let keyEnd = eq;
  while (keyEnd > keyStart && isSpace(line[keyEnd - 1])) keyEnd--;
  if (keyEnd === keyStart) return { kind: 'invalid', message: 'missing key before "="', start, end: eq + 1 };
  for (let i = keyStart; i < keyEnd; i++) {
    if (isSpace(line[i])) return { kind: 'invalid', message: 'a sysctl key cannot contain whitespace', start: keyStart, end: keyEnd };
  }
  let valueStart = eq + 1;
  while (valueStart < end && isSpace(line[valueStart])) valueStart++;
  if (valueStart === end) return { kind: 'invalid', message: `missing value after "${line.slice(keyStart, keyEnd)} ="`, start, end };
  return { kind: 'assignment', start, keyStart, keyEnd, valueStart, valueEnd: end, ignoreFailure };
}

/**
 * The dotted spelling of a key. When the first separator is `/`, the key is in path form and procps
 * and systemd swap `/` and `.`, so a `.` inside a component (a VLAN interface like `eth0.100`)
 * becomes `/` in the dotted form.
 */
export function normalizeSysctlKey(raw: string): string {
  const firstSep = raw.search(/[./]/);
  if (firstSep < 0 || raw[firstSep] === '.') return raw;
  return raw.replace(/[./]/g, (ch) => (ch === '/' ? '.' : '/'));
}

/**
 * Builds a setting from an assignment line; `locate` maps offsets of the line text to source spans
 * (identity plus the line start for files, through the shell word mapping for scripts).
 */
export function sysctlSettingFromLine(
  line: string,
  assignment: Extract<SysctlLine, { kind: 'assignment' }>,
  locate: (start: number, end: number) => Span,
): SysctlSetting {
  return {
    key: normalizeSysctlKey(line.slice(assignment.keyStart, assignment.keyEnd)),
    keySpan: locate(assignment.keyStart, assignment.keyEnd),
    value: known(line.slice(assignment.valueStart, assignment.valueEnd), locate(assignment.valueStart, assignment.valueEnd)),
    span: locate(assignment.start, assignment.valueEnd),
    ignoreFailure: assignment.ignoreFailure,
  };
}

/** Parses a sysctl.conf or sysctl.d drop-in. Settings are in file order; later ones win (see effectiveSysctls). */
export function parseSysctlConf(file: SourceFile): ParseResult<SysctlSetting[]> {
  const settings: SysctlSetting[] = [];
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  const span = (start: number, end: number): Span => ({ file: file.path, start, end });
  for (let n = 0; n < file.lineStarts.length; n++) {
    const lineStart = file.lineStarts[n]!;
    const next = file.lineStarts[n + 1];
    const lineEnd = next === undefined ? file.text.length : next - 1;
    const text = file.text.slice(lineStart, lineEnd);
    const line = parseSysctlLine(text);
    const at = (s: number, e: number): Span => span(lineStart + s, lineStart + e);
    switch (line.kind) {
      case 'blank':
        break;
      case 'comment':
        comments.push({ text: text.slice(line.textStart, line.textEnd), span: at(line.markerStart, line.textEnd) });
        break;
      case 'invalid':
        problems.push({ message: line.message, span: at(line.start, line.end) });
        break;
      case 'assignment':
        settings.push(sysctlSettingFromLine(text, line, at));
        break;
    }
  }
  return { doc: settings, problems, comments };
}

/** The value each key ends up with when the settings are applied in order: the last one wins. */
export function effectiveSysctls(settings: Iterable<SysctlSetting>): Map<string, SysctlSetting> {
  const out = new Map<string, SysctlSetting>();
  for (const s of settings) {
    // Re-inserting moves the key to the end, so iteration follows the order the winners were written.
    out.delete(s.key);
    out.set(s.key, s);
  }
  return out;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * Whether a path is a sysctl configuration file: `sysctl.conf`, a `.conf` in a `sysctl.d` directory,
 * or a `.conf` whose name says sysctl (`99-sysctl.conf`, `sysctl-tuning.conf`).
 */
export function looksLikeSysctlFile(path: string): boolean {
  const p = path.replace(/\\/g, '/');
  if (!p.endsWith('.conf')) return false;
  if (/(^|\/)sysctl\.d\/[^/]+$/.test(p)) return true;
  return /sysctl/i.test(baseName(p));
}

/**
 * Orders sysctl files the way systemd-sysctl and `sysctl --system` apply them: drop-ins sorted by
 * file name whatever their directory, then `sysctl.conf` (Debian links it as `99-sysctl.conf`, and
 * procps reads it after every sysctl.d directory). Sort the file list with this, then apply in order.
 */
export function compareSysctlLoadOrder(a: string, b: string): number {
  const rank = (p: string): number => (baseName(p) === 'sysctl.conf' ? 1 : 0);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  const an = baseName(a);
  const bn = baseName(b);
  if (an !== bn) return an < bn ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
