import { posix } from 'node:path';
import type { Comment, ParseProblem } from '../core/problem.js';
import type { Span } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { parsePgbouncerIni, type IniEntry, type IniSection, type PgbouncerIni } from '../parsers/pgbouncer.js';
import { parseRedisConf, RedisConf } from '../parsers/redis.js';
import type { ContainerFile, ContainerFs } from './filesystem.js';
import { readContainerFile, remapSpans } from './render.js';
import type { LoadedFile } from './types.js';

/**
 * Server configs as the program loads them from the container's files: pgbouncer's `%include`
 * (the included text takes the include's place: its leading keys join the current section and the
 * section it ends in carries on) and Redis's `include` (directives in order, last wins, globs in
 * Redis 7). Included paths resolve in the container filesystem; a path it cannot see stays an
 * unresolved include, so settings it may change stay unknown.
 */

const MAX_DEPTH = 8;

/** One file read for the config, with what its parser reported. */
function loaded(path: string, problems: readonly ParseProblem[], comments: readonly Comment[]): LoadedFile {
  return { path, problems, comments };
}

export interface MergedPgbouncerIni {
  readonly ini: PgbouncerIni;
  readonly files: readonly LoadedFile[];
}

/** Reads a pgbouncer ini and every `%include` it names, as one configuration. */
export function loadPgbouncerIni(ws: Workspace, fs: ContainerFs, main: ContainerFile, cwd = '/'): MergedPgbouncerIni | undefined {
  const files: LoadedFile[] = [];
  const sections: IniSection[] = [];
  const unresolved: PgbouncerIni['includes'] = [];
  let current: IniSection | undefined;
  const read = (cf: ContainerFile, depth: number, nested: boolean): boolean => {
    const readable = readContainerFile(ws, cf);
    if (!readable) return false;
    const file = readable.source;
    const r = parsePgbouncerIni(file);
    if (readable.mapped) remapSpans(r, readable.mapped);
    const doc = r.doc!;
    // Keys before a header are the includer's section's when the file is included.
    const leadingSpans = new Set((doc.leading ?? []).map((e) => e.span.start));
    const problems = nested && current ? r.problems.filter((p) => !(p.span.file === file.path && leadingSpans.has(p.span.start) && p.message.endsWith('is set outside any section'))) : r.problems;
    files.push(loaded(file.path, problems, r.comments));
    type Item = { at: number; kind: 'entry'; entry: IniEntry } | { at: number; kind: 'section'; section: IniSection } | { at: number; kind: 'include'; include: { path: string; span: Span } };
    const items: Item[] = [
      ...(nested && current ? (doc.leading ?? []).map((entry) => ({ at: entry.span.start, kind: 'entry' as const, entry })) : []),
      ...doc.sections.map((section) => ({ at: section.span.start, kind: 'section' as const, section })),
      ...doc.sections.flatMap((s) => s.entries.map((entry) => ({ at: entry.span.start, kind: 'entry' as const, entry }))),
      ...doc.includes.map((include) => ({ at: include.span.start, kind: 'include' as const, include })),
    ].sort((a, b) => a.at - b.at || (a.kind === 'section' ? -1 : 1));
    for (const it of items) {
      if (it.kind === 'section') {
        current = { ...it.section, entries: [] };
        sections.push(current);
      } else if (it.kind === 'entry') {
        current?.entries.push(it.entry);
      } else {
        const target = fs.resolve(posix.resolve(cwd, it.include.path));
        if (!target || depth >= MAX_DEPTH || !read(target, depth + 1, true)) unresolved.push(it.include);
      }
    }
    return true;
  };
  if (!read(main, 0, false)) return undefined;
  return { ini: { path: main.hostPath, sections, includes: unresolved }, files };
}

export interface MergedRedisConf {
  readonly conf: RedisConf;
  readonly files: readonly LoadedFile[];
}

/** Reads a redis.conf and the files its `include` lines name, directives in order (last wins). */
export function loadRedisConf(ws: Workspace, fs: ContainerFs, main: ContainerFile, cwd = '/'): MergedRedisConf | undefined {
  const files: LoadedFile[] = [];
  const out = new RedisConf();
  const read = (cf: ContainerFile, depth: number, chain: readonly string[]): boolean => {
    const readable = readContainerFile(ws, cf);
    if (!readable) return false;
    const file = readable.source;
    const r = parseRedisConf(file);
    if (readable.mapped) remapSpans(r, readable.mapped);
    files.push(loaded(file.path, r.problems, r.comments));
    const doc = r.doc!;
    const events = [
      ...[...doc.entries()].map(([key, value]) => ({ at: value.span.start, apply: () => void out.set(key, value) })),
      ...doc.includes.map((inc) => ({
        at: inc.span.start,
        apply: () => {
          const abs = posix.resolve(cwd, inc.path);
          const targets = /[*?[]/.test(abs) ? fs.glob(abs) : [fs.resolve(abs)].filter((x): x is ContainerFile => x !== undefined);
          if (targets.length === 0 && !/[*?[]/.test(abs)) out.includes.push(inc);
          for (const t of targets) {
            if (chain.includes(t.containerPath) || depth >= MAX_DEPTH || !read(t, depth + 1, [...chain, t.containerPath])) out.includes.push(inc);
          }
        },
      })),
    ].sort((a, b) => a.at - b.at);
    for (const e of events) e.apply();
    return true;
  };
  if (!read(main, 0, [main.containerPath])) return undefined;
  return { conf: out, files };
}
