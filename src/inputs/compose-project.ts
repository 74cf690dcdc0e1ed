import { posix } from 'node:path';
import type { Comment, ParseProblem } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import { known, type Span, type Value } from '../core/value.js';
import { parseEnvFile, type EnvFile } from '../parsers/dotenv.js';
import type { VariableSource } from '../parsers/interpolate.js';
import { parseYaml, type YamlDoc } from '../parsers/yaml.js';
import type { Workspace } from '../workspace/workspace.js';
import { readServices, type ComposeFile, type ComposeService } from './compose.js';
import { mergeService, mergeTopLevel, withoutResets } from './compose-merge.js';
import { composeTree, textOf, valueOf, type ComposeEntry, type ComposeMap, type ComposeNode } from './compose-tree.js';

/** How a project was found: the way `docker compose` would be told to load these files. */
export interface ProjectOrigin {
  /**
   * `default`: compose's default file names (base plus override) in a folder; `compose-file`:
   * `COMPOSE_FILE` in the folder's `.env`; `script`: a `docker compose -f ... -f ...` command line in a
   * Makefile, shell script or CI file; `config`: a `stacks:` entry of `.arena-lint.yaml`; `file`: a
   * compose file no convention names, checked on its own; `variant`: a fragment nothing names (an
   * override that cannot run alone, such as `docker-compose.override.dev.yml`) merged onto the
   * default file beside it.
   */
  readonly kind: 'default' | 'compose-file' | 'script' | 'config' | 'file' | 'variant';
  /** The line that names the files (the COMPOSE_FILE line, the command line, the config entry). */
  readonly via?: Span;
}

/** A compose project to load: its files in merge order, the first being the base file. */
export interface ComposeProjectSpec {
  /** Root-relative compose files in merge order. */
  readonly files: readonly string[];
  /** Enabled profiles; undefined means `COMPOSE_PROFILES` of the project's `.env`. */
  readonly profiles?: readonly string[];
  /** Root-relative env files for interpolation; undefined means the project directory's `.env`. */
  readonly envFiles?: readonly string[];
  /** The project directory (root-relative); the base file's folder by default. */
  readonly projectDir?: string;
  readonly origin: ProjectOrigin;
}

/** A file the project read, with its parse problems and comments, recorded once by the stack. */
export interface ProjectFile {
  readonly path: string;
  readonly problems: readonly ParseProblem[];
  readonly comments: readonly Comment[];
}

/** A path a project names that cannot be read, with the line that names it. */
export interface ProjectUnknown {
  readonly what: string;
  readonly reason: string;
  readonly span: Span;
}

/** A compose project merged the way `docker compose config` merges it. */
export interface ComposeProject {
  readonly spec: ComposeProjectSpec;
  readonly compose: ComposeFile;
  /** Every compose file merged into the project, in the order read (base, overrides, extends, includes). */
  readonly composeFiles: readonly string[];
  /** The first env file used for interpolation (the project's `.env`). */
  readonly dotenv?: EnvFile;
  readonly profiles: readonly string[];
  /** `COMPOSE_PROJECT_NAME`, else the top-level `name:`, else the project directory's name. */
  readonly projectName: Value<string>;
  /** Every file read (compose files, env files), with what their readers reported. */
  readonly files: readonly ProjectFile[];
  readonly problems: readonly ParseProblem[];
  readonly unknowns: readonly ProjectUnknown[];
}

/** Normalises a root-relative path; undefined when it leaves the root. */
function inRoot(...parts: string[]): string | undefined {
  const p = posix.normalize(posix.join(...parts.map((x) => x || '.')));
  if (p === '..' || p.startsWith('../') || posix.isAbsolute(p)) return undefined;
  return p === '.' ? '' : p.replace(/\/$/, '');
}

const MAX_DEPTH = 10;

/** Loads and merges a compose project: env files, every compose file, `extends:`, `include:` and profiles. */
export function loadComposeProject(ws: Workspace, spec: ComposeProjectSpec): ComposeProject {
  const base = spec.files[0]!;
  const projectDir = spec.projectDir ?? dirOf(base);
  const loader = new ProjectLoader(ws);
  const env = loader.env(spec.envFiles ?? [joinPath(projectDir, '.env')], spec.origin.via);
  const trees: ComposeMap[] = [];
  for (const f of spec.files) {
    const t = loader.file(f, env.vars, [], spec.origin.via);
    if (t) trees.push(t);
  }
  let merged: ComposeMap | undefined = trees[0];
  for (const t of trees.slice(1)) merged = merged ? mergeTopLevel(merged, t) : t;
  const tree = merged ? withoutResets(merged) : undefined;

  const profileLine = env.lookup('COMPOSE_PROFILES');
  const profiles = spec.profiles ?? (profileLine ? profileLine.value.split(',').map((p) => p.trim()).filter(Boolean) : []);
  const { services: all, problems } = readServices(tree, projectDir);
  const active = (s: ComposeService) => s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p) || profiles.includes('*'));
  const services = all.filter(active);
  const inactive = all.filter((s) => !active(s));

  const nameVar = env.lookup('COMPOSE_PROJECT_NAME');
  const nameNode = valueOf(tree, 'name');
  const projectName: Value<string> = nameVar
    ? known(nameVar.value, nameVar.span)
    : nameNode?.kind === 'scalar' && nameNode.text
      ? known(nameNode.text.text, nameNode.span)
      : known(posix.basename(projectDir === '' ? ws.rootAbs : projectDir).toLowerCase().replace(/[^a-z0-9_-]/g, ''), { file: base, start: 0, end: 0 }, { isDefault: true });

  const compose: ComposeFile = { path: base, dir: projectDir, services, ...(inactive.length ? { inactive } : {}), problems };
  return {
    spec,
    compose,
    composeFiles: loader.composeFiles,
    ...(env.first ? { dotenv: env.first } : {}),
    profiles,
    projectName,
    files: [...loader.files.values()],
    problems: [...loader.problems, ...problems],
    unknowns: loader.unknowns,
  };
}

function dirOf(path: string): string {
  const d = posix.dirname(path);
  return d === '.' ? '' : d;
}

function joinPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

interface ProjectEnv {
  readonly vars: VariableSource;
  readonly first?: EnvFile;
  lookup(name: string): { value: string; span: Span } | undefined;
}

/** Reads each file of one project once; `extends:` and `include:` pull in more files as they are met. */
class ProjectLoader {
  readonly files = new Map<string, ProjectFile>();
  readonly composeFiles: string[] = [];
  readonly problems: ParseProblem[] = [];
  readonly unknowns: ProjectUnknown[] = [];
  private readonly docs = new Map<string, { file: SourceFile; doc: YamlDoc } | null>();

  constructor(private readonly ws: Workspace) {}

  private record(path: string, problems: readonly ParseProblem[], comments: readonly Comment[]): void {
    if (!this.files.has(path)) this.files.set(path, { path, problems, comments });
  }

  /** Interpolation variables from env files (later files win, as with repeated `--env-file`). */
  env(paths: readonly string[], via?: Span): ProjectEnv {
    const map = new Map<string, { value: string; span: Span }>();
    let first: EnvFile | undefined;
    for (const p of paths) {
      const f = this.ws.read(p);
      if (!f) {
        if (via && !p.endsWith('.env')) this.unknowns.push({ what: p, reason: `env file ${p} cannot be read`, span: via });
        continue;
      }
      const r = parseEnvFile(f);
      this.record(f.path, r.problems, r.comments);
      first ??= r.doc;
      for (const e of r.doc?.entries ?? []) if (e.value.kind === 'known') map.set(e.key, { value: e.value.value, span: e.value.span });
    }
    const lookup = (n: string) => map.get(n);
    return { vars: { lookup }, ...(first ? { first } : {}), lookup };
  }

  private parse(path: string): { file: SourceFile; doc: YamlDoc } | undefined {
    if (this.docs.has(path)) return this.docs.get(path) ?? undefined;
    const file = this.ws.read(path);
    let out: { file: SourceFile; doc: YamlDoc } | undefined;
    if (file) {
      const y = parseYaml(file);
      this.record(path, y.problems, y.comments);
      if (y.doc) out = { file, doc: y.doc };
    }
    this.docs.set(path, out ?? null);
    return out;
  }

  /** One compose file as a tree, its `extends:` resolved and its `include:`s added. */
  file(path: string, vars: VariableSource, chain: readonly string[], via?: Span): ComposeMap | undefined {
    const p = this.parse(path);
    if (!p) {
      if (via) this.unknowns.push({ what: path, reason: `compose file ${path} cannot be read`, span: via });
      return undefined;
    }
    if (!this.composeFiles.includes(path)) this.composeFiles.push(path);
    const tree = composeTree(p.file, p.doc, dirOf(path), vars);
    if (tree?.kind !== 'map') return undefined;
    let out = this.withExtends(tree, path, vars, chain);
    out = this.withIncludes(out, path, vars, [...chain, path]);
    return out;
  }

  private withExtends(tree: ComposeMap, path: string, vars: VariableSource, chain: readonly string[]): ComposeMap {
    const services = valueOf(tree, 'services');
    if (services?.kind !== 'map' || !services.entries.some((e) => valueOf(e.value, 'extends') !== undefined)) return tree;
    const resolved = new Map<string, ComposeMap>();
    const resolving = new Set<string>();
    const resolve = (name: string, span: Span): ComposeMap | undefined => {
      const done = resolved.get(name);
      if (done) return done;
      const entry = services.entries.find((e) => e.key === name);
      if (!entry || entry.value.kind !== 'map') {
        this.problems.push({ message: `extends: service "${name}" is not defined in ${path}`, span });
        return undefined;
      }
      if (resolving.has(name)) {
        this.problems.push({ message: `extends: service "${name}" extends itself`, span });
        return entry.value;
      }
      resolving.add(name);
      const out = this.extend(entry.value, path, vars, chain, resolve);
      resolving.delete(name);
      resolved.set(name, out);
      return out;
    };
    const entries: ComposeEntry[] = services.entries.map((e) => (e.value.kind === 'map' ? { ...e, value: resolve(e.key, e.keySpan) ?? e.value } : e));
    return replaceEntry(tree, 'services', { ...services, entries });
  }

  /** A service with `extends:` as the merge of the extended service and its own keys. */
  private extend(svc: ComposeMap, path: string, vars: VariableSource, chain: readonly string[], local: (name: string, span: Span) => ComposeMap | undefined): ComposeMap {
    const ext = svc.entries.find((e) => e.key === 'extends');
    if (!ext) return svc;
    const own: ComposeMap = { ...svc, entries: svc.entries.filter((e) => e !== ext) };
    const name = ext.value.kind === 'scalar' ? textOf(ext.value) : textOf(valueOf(ext.value, 'service'));
    const fileNode = ext.value.kind === 'map' ? valueOf(ext.value, 'file') : undefined;
    const fileText = textOf(fileNode);
    if (name === undefined) return own;
    let base: ComposeMap | undefined;
    if (fileText === undefined) {
      base = local(name, ext.keySpan);
    } else {
      const other = inRoot(dirOf(path), fileText);
      if (other === undefined) {
        this.unknowns.push({ what: fileText, reason: `extends file ${fileText} is outside the checked folder`, span: fileNode!.span });
        return own;
      }
      if (chain.includes(other) || chain.length > MAX_DEPTH) {
        this.problems.push({ message: `extends: ${fileText} extends back into itself`, span: fileNode!.span });
        return own;
      }
      const tree = this.file(other, vars, [...chain, path], fileNode!.span);
      const s = valueOf(valueOf(tree, 'services'), name);
      if (s?.kind !== 'map') {
        if (tree) this.problems.push({ message: `extends: service "${name}" is not defined in ${other}`, span: ext.keySpan });
        return own;
      }
      base = s;
    }
    if (!base) return own;
    const inherited: ComposeMap = { ...base, entries: base.entries.map((e) => ({ ...e, via: [...e.via, ext.keySpan] })) };
    return mergeService(inherited, own);
  }

  private withIncludes(tree: ComposeMap, path: string, vars: VariableSource, chain: readonly string[]): ComposeMap {
    const inc = tree.entries.find((e) => e.key === 'include');
    if (!inc) return tree;
    let out: ComposeMap = { ...tree, entries: tree.entries.filter((e) => e !== inc) };
    const items = inc.value.kind === 'seq' ? inc.value.items : [inc.value];
    for (const item of items) {
      const pathNode = item.kind === 'map' ? valueOf(item, 'path') : item;
      const paths = (pathNode?.kind === 'seq' ? pathNode.items : pathNode ? [pathNode] : []).flatMap((n) => {
        const t = textOf(n);
        return t !== undefined ? [{ t, span: n.span }] : [];
      });
      if (paths.length === 0) continue;
      const files: string[] = [];
      for (const { t, span } of paths) {
        const f = inRoot(dirOf(path), t);
        if (f === undefined) this.unknowns.push({ what: t, reason: `included file ${t} is outside the checked folder`, span });
        else if (chain.includes(f) || chain.length > MAX_DEPTH) this.problems.push({ message: `include: ${t} includes itself`, span });
        else files.push(f);
      }
      if (files.length === 0) continue;
      const dirText = item.kind === 'map' ? textOf(valueOf(item, 'project_directory')) : undefined;
      const includeDir = dirText !== undefined ? inRoot(dirOf(path), dirText) ?? dirOf(files[0]!) : dirOf(files[0]!);
      const envNode = item.kind === 'map' ? valueOf(item, 'env_file') : undefined;
      const envPaths = envNode ? (envNode.kind === 'seq' ? envNode.items : [envNode]).flatMap((n) => {
        const t = textOf(n);
        const p = t !== undefined ? inRoot(dirOf(path), t) : undefined;
        return p !== undefined ? [p] : [];
      }) : [joinPath(includeDir, '.env')];
      // An included project is interpolated with its own env file, falling back to the including project's.
      const own = this.env(envPaths);
      const incVars: VariableSource = { lookup: (n) => own.lookup(n) ?? vars.lookup(n) };
      let merged: ComposeMap | undefined;
      for (const f of files) {
        const t = this.file(f, incVars, chain, pathNode!.span);
        if (t) merged = merged ? mergeTopLevel(merged, t) : t;
      }
      if (merged) out = this.addIncluded(out, merged, inc.keySpan);
    }
    return out;
  }

  /**
   * Services and resources of an included project join the file's own. A service the including file
   * also defines is merged over the included one: Compose 5 does this (the including document wins);
   * Compose 2.x refused it ("conflicts with imported resource"), and real repositories rely on the
   * newer behaviour (wger's docker-compose.yml tunes the `db` its include declares).
   */
  private addIncluded(tree: ComposeMap, included: ComposeMap, via: Span): ComposeMap {
    let out = tree;
    for (const key of ['services', 'volumes', 'networks', 'configs', 'secrets']) {
      const add = valueOf(included, key);
      if (add?.kind !== 'map') continue;
      const mine = valueOf(out, key);
      const entries = mine?.kind === 'map' ? [...mine.entries] : [];
      for (const e of add.entries) {
        const i = entries.findIndex((x) => x.key === e.key);
        const imported = { ...e, via: [...e.via, via] };
        if (i < 0) entries.push(imported);
        else if (key === 'services' && e.value.kind === 'map' && entries[i]!.value.kind === 'map') {
          entries[i] = { ...entries[i]!, value: mergeService(e.value, entries[i]!.value as ComposeMap) };
        }
      }
      const node: ComposeMap = mine?.kind === 'map' ? { ...mine, entries } : { kind: 'map', span: add.span, dir: add.dir, entries };
      out = replaceEntry(out, key, node, via);
    }
    return out;
  }
}

function replaceEntry(map: ComposeMap, key: string, value: ComposeNode, keySpan?: Span): ComposeMap {
  const i = map.entries.findIndex((e) => e.key === key);
  const entries = [...map.entries];
  if (i >= 0) entries[i] = { ...entries[i]!, value };
  else entries.push({ key, keySpan: keySpan ?? value.span, value, via: [] });
  return { ...map, entries };
}
