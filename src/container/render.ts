import type { SourceFile } from '../core/source.js';
import { createSourceFile } from '../core/source.js';
import type { Span, Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { literalText, MappedTextBuilder, type MappedText } from '../parsers/mapped-text.js';
import type { ContainerFile, ContainerPathSource } from './filesystem.js';

/**
 * Files a container's start-up renders (envsubst over a template, a heredoc written by a script):
 * the rendered text keeps, for every character, the template offset it came from, so a reader can
 * parse the text nginx or pgbouncer will read and still point each value at the template line
 * (and, through `via`, at the environment line that filled it in).
 */

/** The content of one container file as its program reads it, with a way back to the source. */
export interface ReadableFile {
  /** The text as the program reads it; `path` is the repository file the text maps back to. */
  readonly source: SourceFile;
  /** Set when the text differs from the repository file: maps spans of `source` back to the file. */
  readonly mapped?: MappedText;
}

/** Reads a container file as the program sees it: through its rendering, when start-up rendered it. */
export function readContainerFile(ws: Workspace, file: ContainerFile): ReadableFile | undefined {
  if (file.rendering) return { source: createSourceFile(file.rendering.content.file, file.rendering.content.text), mapped: file.rendering.content };
  const source = ws.read(file.hostPath);
  return source ? { source } : undefined;
}

/**
 * Rewrites every span of a parsed rendered file (`{file, start, end}` objects anywhere in `doc`) from
 * offsets in the rendered text to offsets in the template, adding the substitution's origin as `via`
 * where a value came from the environment. Mutates and returns `doc`, which the caller just parsed.
 */
export function remapSpans<T>(doc: T, mapped: MappedText): T {
  const seen = new Set<object>();
  const n = mapped.text.length;
  const at = (o: number, end: boolean): number => {
    if (n === 0) return mapped.whole.start;
    if (end) return o <= 0 ? (mapped.srcStart[0] ?? 0) : (mapped.srcEnd[Math.min(o, n) - 1] ?? mapped.whole.end);
    return o >= n ? (mapped.srcEnd[n - 1] ?? mapped.whole.end) : (mapped.srcStart[o] ?? mapped.whole.start);
  };
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.file === 'string' && typeof o.start === 'number' && typeof o.end === 'number' && o.file === mapped.file) {
      const s = o.start;
      const e = o.end;
      o.start = at(s, false);
      o.end = Math.max(at(e, true), o.start as number);
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(doc);
  return doc;
}

/** Where the value that filled a rendered span came from (the env line), for `via`. */
export function substitutionsAt(mapped: MappedText, span: Span): Span[] {
  return mapped.substitutions.filter((s) => s.source.start < span.end && s.source.end > span.start).flatMap((s) => s.via);
}

/**
 * GNU envsubst: `$NAME` and `${NAME}` (no defaults, no other forms). With a SHELL-FORMAT (`only`),
 * only those names are replaced and every other reference stays as written; without one, every
 * reference is replaced and unset names become empty.
 */
export function renderEnvsubst(ws: Workspace, src: ContainerFile, env: ReadonlyMap<string, Value<string>>, only?: ReadonlySet<string>): MappedText | undefined {
  const base = src.rendering?.content ?? (() => {
    const f = ws.read(src.hostPath);
    return f ? literalText(f.path, f.text, 0) : undefined;
  })();
  if (!base) return undefined;
  const t = base.text;
  const b = new MappedTextBuilder(base.file, base.whole);
  let i = 0;
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (const m of t.matchAll(re)) {
    const name = m[1] ?? m[2]!;
    const start = m.index!;
    const end = start + m[0].length;
    if (only ? !only.has(name) : false) continue;
    b.pushMapped(base, i, start);
    const v = env.get(name);
    const srcStart = base.srcStart[start]!;
    const srcEnd = base.srcEnd[end - 1]!;
    if (!v) b.pushSubstitution('', srcStart, srcEnd, []);
    else if (v.kind === 'unknown') b.pushSubstitution(m[0], srcStart, srcEnd, [v.span], `${name}: ${v.reason}`);
    else b.pushSubstitution(v.value, srcStart, srcEnd, [v.span, ...(v.via ?? [])]);
    i = end;
  }
  b.pushMapped(base, i, t.length);
  return b.build();
}

/** A layer for a file start-up renders at `target` from `src`. */
export function renderedLayer(target: string, src: ContainerFile, content: MappedText, renderer: string, via: Span): ContainerPathSource {
  return {
    containerPath: target, hostPath: src.hostPath, isDir: false, via,
    origin: { kind: 'rendered', template: src.hostPath, renderer, via },
    chain: [...(src.chain ?? []), src.via],
    rendering: { content, renderer },
  };
}

/** One sed command arena-lint can apply: `/re/d` or `s/re/replacement/flags` (optionally behind `/re/`). */
type SedCommand = { readonly kind: 'd'; readonly re: RegExp } | { readonly kind: 's'; readonly address?: RegExp; readonly re: RegExp; readonly replacement: string };

/** POSIX basic regular expression to JavaScript; undefined for constructs not translated. */
function breToRegExp(bre: string, extended: boolean, flags: string): RegExp | undefined {
  const classes: Record<string, string> = { space: '\\s', digit: '0-9', alpha: 'A-Za-z', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f' };
  let out = '';
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i]!;
    if (c === '[') {
      const close = bre.indexOf(']', bre[i + 1] === ']' ? i + 2 : bre[i + 1] === '^' && bre[i + 2] === ']' ? i + 3 : i + 1);
      let inner = bre.slice(i + 1, close < 0 ? bre.length : close);
      // `[[:space:]]` and friends: the class's closing `]` is not the bracket's.
      const withClasses = /\[:([a-z]+):\]/.test(bre.slice(i + 1));
      if (withClasses) {
        const end = bre.indexOf(':]]', i);
        if (end < 0) return undefined;
        inner = bre.slice(i + 1, end + 2);
        i = end + 2;
      } else {
        if (close < 0) return undefined;
        i = close;
      }
      inner = inner.replace(/\[:([a-z]+):\]/g, (_, n: string) => classes[n] ?? '');
      out += `[${inner.replace(/\\/g, '\\\\').replace(/\\\\s|\\\\t/g, (m) => m.slice(1))}]`;
      continue;
    }
    if (c === '\\' && i + 1 < bre.length) {
      const n = bre[++i]!;
      if (!extended && '(){}|+?'.includes(n)) out += n;
      else if (n === 'n') out += '\\n';
      else if (/[0-9]/.test(n)) out += `\\${n}`;
      else out += `\\${n}`;
      continue;
    }
    if (!extended && '(){}|+?'.includes(c)) out += `\\${c}`;
    else out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch {
    return undefined;
  }
}

/** Splits a sed script into the commands arena-lint applies; undefined when any is another kind. */
export function parseSed(script: string, extended = false): SedCommand[] | undefined {
  const out: SedCommand[] = [];
  let i = 0;
  const readDelimited = (delim: string): string | undefined => {
    let s = '';
    while (i < script.length && script[i] !== delim) {
      if (script[i] === '\\' && script[i + 1] === delim) {
        s += delim;
        i += 2;
        continue;
      }
      if (script[i] === '\\') {
        s += script.slice(i, i + 2);
        i += 2;
        continue;
      }
      s += script[i++];
    }
    if (script[i] !== delim) return undefined;
    i++;
    return s;
  };
  while (i < script.length) {
    while (i < script.length && /[\s;]/.test(script[i]!)) i++;
    if (i >= script.length) break;
    let address: RegExp | undefined;
    if (script[i] === '/') {
      i++;
      const re = readDelimited('/');
      if (re === undefined) return undefined;
      address = breToRegExp(re, extended, '');
      if (!address) return undefined;
      while (script[i] === ' ') i++;
    }
    const cmd = script[i];
    if (cmd === 'd' && address) {
      out.push({ kind: 'd', re: address });
      i++;
      continue;
    }
    if (cmd === 's') {
      const delim = script[i + 1];
      if (!delim) return undefined;
      i += 2;
      const re = readDelimited(delim);
      const rep = re === undefined ? undefined : readDelimited(delim);
      if (re === undefined || rep === undefined) return undefined;
      let flags = '';
      while (i < script.length && /[gIi]/.test(script[i]!)) flags += script[i++]!.toLowerCase();
      const js = breToRegExp(re, extended, flags.includes('i') ? (flags.includes('g') ? 'gi' : 'i') : flags.includes('g') ? 'g' : '');
      if (!js || /\\[0-9&]|&/.test(rep.replace(/\\\\/g, ''))) return undefined;
      out.push({ kind: 's', ...(address ? { address } : {}), re: js, replacement: rep.replace(/\\(.)/g, '$1') });
      continue;
    }
    return undefined;
  }
  return out;
}

/** Applies sed commands line by line; kept characters keep their source, replacements map to the match. */
export function applySed(content: MappedText, commands: readonly SedCommand[]): MappedText {
  const t = content.text;
  const b = new MappedTextBuilder(content.file, content.whole);
  let start = 0;
  while (start <= t.length) {
    let end = t.indexOf('\n', start);
    const last = end < 0;
    if (last) end = t.length;
    if (last && start === end && start === t.length && start > 0) break;
    const line = t.slice(start, end);
    let deleted = false;
    let pieces: { from: number; to: number; text?: string }[] = [{ from: start, to: end }];
    for (const c of commands) {
      const current = pieces.map((p) => p.text ?? t.slice(p.from, p.to)).join('');
      if (c.kind === 'd') {
        if (c.re.test(current)) {
          deleted = true;
          break;
        }
        continue;
      }
      if (c.address && !c.address.test(current)) continue;
      if (pieces.length !== 1 || pieces[0]!.text !== undefined) continue;
      const next: typeof pieces = [];
      let at = 0;
      c.re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = c.re.exec(line)) !== null) {
        next.push({ from: start + at, to: start + m.index });
        next.push({ from: start + m.index, to: start + m.index + m[0].length, text: c.replacement });
        at = m.index + m[0].length;
        if (!c.re.global) break;
        if (m[0].length === 0) c.re.lastIndex++;
      }
      next.push({ from: start + at, to: end });
      pieces = next;
    }
    if (!deleted) {
      for (const p of pieces) {
        if (p.text === undefined) b.pushMapped(content, p.from, p.to);
        else b.pushChar(p.text, content.srcStart[p.from] ?? content.whole.start, content.srcEnd[Math.max(p.from, p.to - 1)] ?? content.whole.end);
      }
      if (!last) b.pushMapped(content, end, end + 1);
    }
    if (last) break;
    start = end + 1;
  }
  return b.build();
}
