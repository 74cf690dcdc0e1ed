import { posix } from 'node:path';
import { known, unknown, type Span, type Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { instructionWords, parseDockerfile, type DockerInstruction, type Dockerfile } from '../parsers/dockerfile.js';
import { interpolate, type VariableSource } from '../parsers/interpolate.js';
import { rangeOf, sliceMapped, type MappedText } from '../parsers/mapped-text.js';
import type { ShellWord } from '../parsers/shell-words.js';
import { globToRegExp, repoPath, type ContainerPathSource } from './filesystem.js';
import { SHELL_TEXT } from './process.js';
import type { CommandLine, UnknownPart } from './types.js';

/**
 * A Dockerfile built the way BuildKit builds it, statically: stages, `ARG`/`ENV` expansion in paths,
 * `WORKDIR`, `COPY`/`ADD` (globs, directories, `--from=stage`), `.dockerignore`, and the image
 * config (ENV, WORKDIR, ENTRYPOINT, CMD) each stage inherits from the one it is built `FROM`.
 * Nothing is run: a `RUN` only matters here when it removes a path (`rm -f .../default.conf`).
 */

/** One `FROM` stage with the image config and filesystem layers it ends with. */
export interface DockerStage {
  readonly index: number;
  readonly name?: string;
  /** The `FROM` reference as expanded (`nginx:1.27-alpine`, or an earlier stage's name). */
  readonly from: Value<string>;
  /** The external image at the root of this stage's `FROM` chain. */
  readonly baseImage?: Value<string>;
  readonly span: Span;
  readonly layers: readonly ContainerPathSource[];
  readonly env: ReadonlyMap<string, Value<string>>;
  readonly workdir: Value<string>;
  readonly entrypoint?: CommandLine;
  readonly cmd?: CommandLine;
  /** True when the stage's own ENTRYPOINT reset a CMD it inherited (Docker's rule). */
  readonly cmdReset?: boolean;
}

export interface BuiltImage {
  readonly dockerfile: Dockerfile;
  readonly stages: readonly DockerStage[];
  /** The stage the container runs: `build.target`, else the last. */
  readonly stage: DockerStage;
  readonly unknowns: readonly UnknownPart[];
}

export interface BuildInput {
  readonly context: string;
  readonly dockerfilePath: string;
  readonly target?: Value<string>;
  readonly args: ReadonlyMap<string, Value<string>>;
}

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/;

/** Parses a `.dockerignore`: a predicate over root-relative paths below the build context. */
export function dockerignore(text: string, context: string): (hostPath: string) => boolean {
  const rules: { re: RegExp; negate: boolean }[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = posix.normalize(line.replace(/^\/+/, '')).replace(/\/$/, '');
    if (line === '.' || line === '') continue;
    let re = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '*' && line[i + 1] === '*') {
        // `**` matches any number of directories, including none.
        re += '.*';
        i++;
        if (line[i + 1] === '/') i++;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else if (c === '\\' && i + 1 < line.length) re += `\\${line[++i]}`;
      else if (c === '[') {
        const close = line.indexOf(']', i + 1);
        if (close < 0) re += '\\[';
        else {
          re += `[${line.slice(i + 1, close).replace(/^!/, '^')}]`;
          i = close;
        }
      } else re += c.replace(/[.+^${}()|]/g, '\\$&');
    }
    // A pattern that names a directory excludes everything below it.
    rules.push({ re: new RegExp(`^${re}(/.*)?$`), negate });
  }
  const prefix = context ? `${context}/` : '';
  return (hostPath: string) => {
    if (!hostPath.startsWith(prefix)) return false;
    const rel = hostPath.slice(prefix.length);
    let ignored = false;
    for (const r of rules) if (r.re.test(rel)) ignored = !r.negate;
    return ignored;
  };
}

interface MutableStage {
  index: number;
  name?: string;
  from: Value<string>;
  baseImage?: Value<string>;
  span: Span;
  layers: ContainerPathSource[];
  env: Map<string, Value<string>>;
  args: Map<string, Value<string>>;
  workdir: Value<string>;
  entrypoint?: CommandLine;
  cmd?: CommandLine;
  cmdReset?: boolean;
}

/** Builds every stage of a Dockerfile; undefined when the Dockerfile cannot be read. */
export function buildDockerfile(ws: Workspace, input: BuildInput): BuiltImage | undefined {
  const file = ws.read(input.dockerfilePath);
  if (!file) return undefined;
  const dockerfile = parseDockerfile(file).doc!;
  const unknowns: UnknownPart[] = [];
  const ignoreFile = ws.read(`${input.dockerfilePath}.dockerignore`) ?? ws.read(repoPath(input.context, '.dockerignore') ?? '.dockerignore');
  const ignored = ignoreFile ? dockerignore(ignoreFile.text, input.context) : () => false;
  const globalArgs = new Map<string, Value<string>>();
  const stages: MutableStage[] = [];
  let cur: MutableStage | undefined;

  const vars = (st: MutableStage | undefined): VariableSource => ({
    lookup: (name) => {
      const v = st ? st.env.get(name) ?? st.args.get(name) : globalArgs.get(name);
      if (v === undefined) return { value: '', span: file ? { file: file.path, start: 0, end: 0 } : dockerfile.instructions[0]!.span };
      return v.kind === 'known' ? { value: v.value, span: v.span } : undefined;
    },
  });
  const expand = (m: MappedText, st: MutableStage | undefined): MappedText => interpolate(m, vars(st));
  const valueOfText = (m: MappedText, whole: Span): Value<string> => {
    const r = rangeOf(m, 0, m.text.length);
    if (r.unknownReason !== undefined) return unknown(r.unknownReason, r.span);
    return known(m.text, m.text.length ? r.span : whole, { via: r.via });
  };
  const words = (ins: DockerInstruction, st: MutableStage | undefined): Value<string>[] => {
    const { words: ws0 } = instructionWords(ins);
    return ws0.filter((w) => !w.operator).map((w) => valueOfText(expand(w.text, st), w.text.whole));
  };
  const argValue = (name: string, dflt: Value<string> | undefined, span: Span): Value<string> => {
    const given = input.args.get(name);
    if (given) return given;
    return dflt ?? known('', span, { isDefault: true });
  };

  for (const ins of dockerfile.instructions) {
    const kw = ins.keyword;
    if (kw === 'ARG') {
      for (const w of words(ins, cur)) {
        if (w.kind !== 'known') continue;
        const eq = w.value.indexOf('=');
        const name = eq < 0 ? w.value : w.value.slice(0, eq);
        const own = eq < 0 ? undefined : known(w.value.slice(eq + 1), w.span, w.via ? { via: w.via } : {});
        if (!cur) globalArgs.set(name, argValue(name, own, ins.span));
        // `ARG NAME` inside a stage brings the global ARG's value in.
        else cur.args.set(name, argValue(name, own ?? globalArgs.get(name), ins.span));
      }
      continue;
    }
    if (kw === 'FROM') {
      const ws1 = words(ins, undefined).filter((w) => !(w.kind === 'known' && w.value.startsWith('--')));
      const ref = ws1[0] ?? unknown('FROM names no image', ins.span);
      const asAt = ws1.findIndex((w) => w.kind === 'known' && w.value.toLowerCase() === 'as');
      const name = asAt >= 0 && ws1[asAt + 1]?.kind === 'known' ? (ws1[asAt + 1] as { value: string }).value : undefined;
      const parent = ref.kind === 'known' ? [...stages].reverse().find((s) => s.name !== undefined && s.name.toLowerCase() === ref.value.toLowerCase()) : undefined;
      cur = {
        index: stages.length, ...(name ? { name } : {}), from: ref, span: ins.span,
        layers: parent ? [...parent.layers] : [],
        env: parent ? new Map(parent.env) : new Map(),
        args: new Map(),
        workdir: parent ? parent.workdir : known('/', ins.span, { isDefault: true }),
        ...(parent?.baseImage ? { baseImage: parent.baseImage } : !parent ? { baseImage: ref } : {}),
        ...(parent?.entrypoint ? { entrypoint: parent.entrypoint } : {}),
        ...(parent?.cmd ? { cmd: parent.cmd } : {}),
      };
      stages.push(cur);
      continue;
    }
    if (!cur) continue;
    const st = cur;
    if (kw === 'ENV') {
      for (const [k, v] of envPairs(ins, (m) => expand(m, st), valueOfText)) st.env.set(k, v);
    } else if (kw === 'WORKDIR') {
      const v = valueOfText(expand(ins.args, st), ins.span);
      const base = st.workdir.kind === 'known' ? st.workdir.value : '/';
      st.workdir = v.kind === 'known' ? known(posix.resolve(base, v.value.trim()), v.span, v.via ? { via: v.via } : {}) : v;
    } else if (kw === 'ENTRYPOINT' || kw === 'CMD') {
      const { words: w, form } = instructionWords(ins);
      const line: CommandLine = { words: w, span: ins.span, form: form === 'exec' ? 'list' : 'string' };
      if (form === 'shell') SHELL_TEXT.set(line, trimMapped(ins.args));
      if (kw === 'CMD') {
        st.cmd = line;
        st.cmdReset = false;
      } else {
        st.entrypoint = line;
        // Docker: an ENTRYPOINT resets the CMD the stage inherited from its base image (not one it sets itself).
        if (!st.cmd || !stageOwns(st, st.cmd)) {
          delete st.cmd;
          st.cmdReset = true;
        }
      }
    } else if (kw === 'COPY' || kw === 'ADD') {
      copy(ws, input.context, ins, st, stages, words(ins, st), kw, ignored, unknowns);
    } else if (kw === 'RUN') {
      for (const p of removedPaths(ins, st)) st.layers.push({ containerPath: p, hostPath: '', isDir: true, via: ins.span, removed: true });
    }
  }
  if (stages.length === 0) return undefined;
  let stage = stages[stages.length - 1]!;
  if (input.target) {
    const t = input.target;
    const hit = t.kind === 'known' ? stages.find((s) => s.name?.toLowerCase() === t.value.toLowerCase()) : undefined;
    if (hit) stage = hit;
    else unknowns.push({ what: 'build target', reason: t.kind === 'known' ? `the Dockerfile has no stage "${t.value}"` : t.reason, span: t.span });
  }
  return { dockerfile, stages, stage, unknowns };
}

function stageOwns(st: MutableStage, line: CommandLine): boolean {
  return line.span.file === st.span.file && line.span.start > st.span.start;
}

/** `ENV A=1 B=2` or the legacy `ENV A 1`. */
function envPairs(ins: DockerInstruction, expand: (m: MappedText) => MappedText, valueOf: (m: MappedText, whole: Span) => Value<string>): [string, Value<string>][] {
  const { words } = instructionWords(ins);
  const plain = words.filter((w) => !w.operator);
  const out: [string, Value<string>][] = [];
  if (plain[0] && !plain[0].text.text.includes('=')) {
    const key = plain[0].text.text;
    const restStart = ins.args.text.indexOf(key) + key.length;
    const restText = sliceMapped(ins.args, restStart, ins.args.text.length);
    const trimmed = trimMapped(restText);
    out.push([key, valueOf(expand(trimmed), ins.span)]);
    return out;
  }
  for (const w of plain) {
    const eq = w.text.text.indexOf('=');
    if (eq <= 0) continue;
    out.push([w.text.text.slice(0, eq), valueOf(expand(sliceMapped(w.text, eq + 1, w.text.text.length)), w.text.whole)]);
  }
  return out;
}


function trimMapped(m: MappedText): MappedText {
  const start = m.text.length - m.text.trimStart().length;
  const end = m.text.trimEnd().length;
  return sliceMapped(m, start, Math.max(start, end));
}

function copy(
  ws: Workspace, context: string, ins: DockerInstruction, st: MutableStage, stages: readonly MutableStage[], words: Value<string>[],
  kw: 'COPY' | 'ADD', ignored: (p: string) => boolean, unknowns: UnknownPart[],
): void {
  let from: string | undefined;
  const plain: Value<string>[] = [];
  for (const w of words) {
    if (w.kind === 'known' && w.value.startsWith('--')) {
      if (w.value.startsWith('--from=')) from = w.value.slice(7);
      continue;
    }
    plain.push(w);
  }
  if (plain.length < 2) return;
  if (plain.some((w) => w.kind === 'known' && w.value.startsWith('<<'))) {
    unknowns.push({ what: `${kw} heredoc`, reason: 'a heredoc COPY is not followed', span: ins.span });
    return;
  }
  const destV = plain[plain.length - 1]!;
  if (destV.kind !== 'known') {
    unknowns.push({ what: `${kw} destination`, reason: destV.reason, span: ins.span });
    return;
  }
  const workdir = st.workdir.kind === 'known' ? st.workdir.value : '/';
  const destAbs = posix.resolve(workdir, destV.value);
  const destIsDir = destV.value.endsWith('/') || destV.value === '.' || plain.length > 2;
  const srcs = plain.slice(0, -1);
  const push = (s: ContainerPathSource) => st.layers.push(s);
  const opaque = (containerPath: string, isDir: boolean, reason: string) => {
    push({ containerPath, hostPath: '', isDir, via: ins.span, opaque: true, origin: { kind: 'unknown', reason, via: ins.span } });
    unknowns.push({ what: containerPath, reason, span: ins.span });
  };
  for (const srcV of srcs) {
    if (srcV.kind !== 'known') {
      opaque(destAbs, true, `${kw} source: ${srcV.reason}`);
      continue;
    }
    const src = srcV.value;
    if (from !== undefined) {
      const source = stages.find((s) => s.name?.toLowerCase() === from!.toLowerCase()) ?? (/^\d+$/.test(from) ? stages[Number(from)] : undefined);
      if (!source) {
        opaque(destIsDir ? destAbs : destAbs, destIsDir, `copied from image ${from}, whose files are not in the repository`);
        continue;
      }
      copyFromStage(ws, source, src, destAbs, destIsDir || srcs.length > 1, ins, push, opaque);
      continue;
    }
    if (kw === 'ADD' && /^[a-z]+:\/\/|^git@/.test(src)) {
      opaque(destIsDir ? posix.join(destAbs, posix.basename(src)) : destAbs, false, `downloaded from ${src} at build time`);
      continue;
    }
    const rel = repoPath(context, src.replace(/^\/+/, ''));
    if (rel === undefined || (context !== '' && rel !== context && !rel.startsWith(`${context}/`))) {
      opaque(destAbs, destIsDir, `${src} is outside the build context`);
      continue;
    }
    if (!ws.inside(rel)) {
      opaque(destAbs, destIsDir, `${src} leaves the checked folder through a symlink`);
      continue;
    }
    const matches = /[*?[]/.test(src) ? globContext(ws, context, rel, ignored) : [rel];
    if (matches.length === 0 || (matches.length === 1 && !ws.isDir(matches[0]!) && !ws.exists(matches[0]!))) {
      // A file lands at dest/<name> and a folder's contents at dest: both lie below dest.
      opaque(destAbs, destIsDir || src.endsWith('/'), `${src} is not in the repository (made before the build or ignored)`);
      continue;
    }
    const many = matches.length > 1 || destIsDir || srcs.length > 1;
    for (const m of matches) {
      if (!ws.inside(m)) {
        opaque(posix.join(destAbs, posix.basename(m)), false, `${m} leaves the checked folder through a symlink`);
        continue;
      }
      if (ws.isDir(m)) {
        // A directory's contents are copied, not the directory itself.
        push({ containerPath: destAbs, hostPath: m, isDir: true, via: ins.span, origin: { kind: 'copy', hostPath: m, via: ins.span }, ignored });
      } else if (kw === 'ADD' && ARCHIVE.test(m)) {
        opaque(destAbs, true, `${m} is an archive ADD extracts at build time`);
      } else if (ignored(m)) {
        unknowns.push({ what: m, reason: '.dockerignore leaves it out of the build context', span: ins.span });
      } else {
        const cp = many ? posix.join(destAbs, posix.basename(m)) : destAbs;
        push({ containerPath: cp, hostPath: m, isDir: false, via: ins.span, origin: { kind: 'copy', hostPath: m, via: ins.span } });
      }
    }
  }
}

function globContext(ws: Workspace, context: string, pattern: string, ignored: (p: string) => boolean): string[] {
  const re = globToRegExp(pattern);
  const out = new Set<string>();
  const depth = pattern.split('/').length;
  for (const f of ws.filesUnder(context)) {
    if (ignored(f)) continue;
    // A glob matches files and directories at its own depth.
    const parts = f.split('/');
    if (parts.length < depth) continue;
    const candidate = parts.slice(0, depth).join('/');
    if (re.test(candidate)) out.add(candidate);
  }
  return [...out].sort();
}

function copyFromStage(
  ws: Workspace, source: MutableStage, src: string, destAbs: string, destIsDir: boolean, ins: DockerInstruction,
  push: (s: ContainerPathSource) => void, opaque: (p: string, isDir: boolean, reason: string) => void,
): void {
  const srcAbs = posix.resolve('/', src);
  const re = /[*?[]/.test(srcAbs) ? globToRegExp(srcAbs) : undefined;
  let found = false;
  const seen = new Set<string>();
  for (let i = source.layers.length - 1; i >= 0; i--) {
    const l = source.layers[i]!;
    if (l.removed || l.opaque) continue;
    const key = `${l.containerPath}\0${l.hostPath}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const chain = [...(l.chain ?? []), l.via];
    const base = { via: ins.span, chain, origin: { kind: 'copy' as const, hostPath: l.hostPath, via: ins.span }, ...(l.ignored ? { ignored: l.ignored } : {}) };
    if (re ? re.test(l.containerPath) : l.containerPath === srcAbs) {
      found = true;
      const target = l.isDir || !destIsDir ? destAbs : posix.join(destAbs, posix.basename(l.containerPath));
      push({ ...base, containerPath: target, hostPath: l.hostPath, isDir: l.isDir });
    } else if (!re && l.containerPath.startsWith(`${srcAbs}/`)) {
      found = true;
      push({ ...base, containerPath: posix.join(destAbs, l.containerPath.slice(srcAbs.length + 1)), hostPath: l.hostPath, isDir: l.isDir });
    } else if (!re && l.isDir && srcAbs.startsWith(`${l.containerPath}/`)) {
      const host = repoPath(l.hostPath, srcAbs.slice(l.containerPath.length + 1));
      if (host === undefined || (!ws.isDir(host) && !ws.exists(host)) || l.ignored?.(host)) continue;
      found = true;
      const isDir = ws.isDir(host);
      const target = isDir || !destIsDir ? destAbs : posix.join(destAbs, posix.basename(host));
      push({ ...base, containerPath: target, hostPath: host, isDir, origin: { kind: 'copy', hostPath: host, via: ins.span } });
      break;
    }
  }
  if (!found) {
    const stageName = source.name ?? String(source.index);
    opaque(destAbs, true, `${srcAbs} is made by a RUN step of stage ${stageName}`);
  }
}

/** Paths a `RUN rm -f/-rf ...` removes, when the words are plain. */
function removedPaths(ins: DockerInstruction, st: MutableStage): string[] {
  const out: string[] = [];
  const { words } = instructionWords(ins);
  let cmd: ShellWord[] = [];
  const flush = () => {
    if (cmd[0]?.value.kind === 'known' && cmd[0].value.value === 'rm') {
      const workdir = st.workdir.kind === 'known' ? st.workdir.value : '/';
      for (const w of cmd.slice(1)) {
        if (w.value.kind !== 'known' || w.value.value.startsWith('-') || /[*?[$]/.test(w.value.value)) continue;
        out.push(posix.resolve(workdir, w.value.value));
      }
    }
    cmd = [];
  };
  for (const w of words) {
    if (w.operator) flush();
    else cmd.push(w);
  }
  flush();
  return out;
}
