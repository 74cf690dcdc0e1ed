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
