import { posix } from 'node:path';
import { isJinjaDataTemplate } from '../parsers/template.js';
import type { Span } from '../core/value.js';
import { parseEnvFile } from '../parsers/dotenv.js';
import { parseYaml } from '../parsers/yaml.js';
import type { Workspace } from '../workspace/workspace.js';
import { composeTree, textOf, valueOf, type ComposeNode } from './compose-tree.js';
import type { ComposeProjectSpec } from './compose-project.js';

/** Compose's default file names, in its order of preference (compose-go `DefaultFileNames`). */
export const DEFAULT_COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
/** The override file merged automatically onto the default file (compose-go `DefaultOverrideFileNames`). */
export const DEFAULT_OVERRIDE_FILES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

const COMPOSE_NAME = /(^|\/)(docker-compose|compose)[^/]*\.ya?ml$/;
/** Files whose command lines may run `docker compose -f ...`. */
const SCRIPT_FILE = /(^|\/)(Makefile|GNUmakefile|makefile|[^/]*\.mk|[^/]*\.sh|[^/]*\.bash|justfile|Justfile|Taskfile\.ya?ml)$/;
const CI_FILE = /(^|\/)(\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci\/config\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml)$/;

/** A `stacks:` entry of `.arena-lint.yaml` that declares a project. */
export interface DeclaredStack {
  readonly files: readonly string[];
  readonly profiles?: readonly string[];
  readonly envFiles?: readonly string[];
  readonly span?: Span;
}

/** Every file named like a compose file that is YAML (not a template). */
export function findComposeFiles(ws: Workspace): string[] {
  return ws.files().filter((f) => COMPOSE_NAME.test(f) && !isJinjaDataTemplate(ws.read(f)?.text ?? ''));
}

function dirOf(path: string): string {
  const d = posix.dirname(path);
  return d === '.' ? '' : d;
}

function inRoot(dir: string, p: string): string | undefined {
  const out = posix.normalize(posix.join(dir || '.', p));
  if (out === '..' || out.startsWith('../') || posix.isAbsolute(out)) return undefined;
  return out === '.' ? '' : out;
}

/**
 * The compose projects of a repository, found the way `docker compose` would be told to load them:
 * - each folder's default file plus its override file, or the folder's `COMPOSE_FILE` (`.env`);
 * - `docker compose -f a.yml -f b.yml` command lines in Makefiles, shell scripts and CI files;
 * - projects declared in the config (`stacks:` entries with `files`);
 * - every other compose file on its own, unless it is a fragment: a file only ever merged into
 *   another (an override, a later `-f` file, an `include:` or `extends:` target).
 */
export function discoverProjects(ws: Workspace, declared: readonly DeclaredStack[] = []): ComposeProjectSpec[] {
  const composeFiles = findComposeFiles(ws);
  const projects: ComposeProjectSpec[] = [];
  for (const d of declared) {
    const files = d.files.flatMap((f) => inRoot('', f) ?? []);
    if (files.length === 0 || !ws.exists(files[0]!)) continue;
    projects.push({
      files,
      ...(d.profiles ? { profiles: d.profiles } : {}),
      ...(d.envFiles ? { envFiles: d.envFiles.flatMap((f) => inRoot('', f) ?? []) } : {}),
      origin: { kind: 'config', ...(d.span ? { via: d.span } : {}) },
    });
  }
  const envDirs = ws.files().filter((f) => posix.basename(f) === '.env').map(dirOf);
  const dirs = [...new Set(['', ...composeFiles.map(dirOf), ...envDirs])].sort();
  for (const dir of dirs) {
    const fromEnv = composeFileVariable(ws, dir);
    if (fromEnv) {
      projects.push(fromEnv);
      continue;
    }
    const name = (n: string) => (dir ? `${dir}/${n}` : n);
    const base = DEFAULT_COMPOSE_FILES.map(name).find((f) => composeFiles.includes(f));
    if (base === undefined) continue;
    const override = DEFAULT_OVERRIDE_FILES.map(name).find((f) => composeFiles.includes(f));
    projects.push({ files: override ? [base, override] : [base], origin: { kind: 'default' } });
  }
  for (const f of ws.files()) {
    if (SCRIPT_FILE.test(f) || CI_FILE.test(f)) projects.push(...scriptProjects(ws, f));
  }

  // Fragments: files merged into another project and never its base. A file another one includes or
  // extends is a fragment even with a default name (`team-1/compose.yaml` included by the root), unless
  // a command line or the config loads it as a base.
  const referenced = new Set(composeFiles.flatMap((f) => referencedFiles(ws, f)));
  for (let i = projects.length - 1; i >= 0; i--) {
    const p = projects[i]!;
    if ((p.origin.kind === 'default' || p.origin.kind === 'compose-file') && referenced.has(p.files[0]!)) projects.splice(i, 1);
    // A default-named file whose services have no image, build or extends (zulip's
    // `ci/memory/compose.yaml`, which only sets a memory limit) is an overlay that CI passes with -f
    // after the real base: docker compose refuses it alone ("has neither an image nor a build context").
    else if (p.origin.kind === 'default' && !p.files.some((f) => standsAlone(ws, f))) projects.splice(i, 1);
  }
  const bases = new Set(projects.map((p) => p.files[0]!));
  const merged = new Set([...projects.flatMap((p) => p.files.slice(1)), ...referenced]);
  for (const f of composeFiles) {
    if (bases.has(f) || merged.has(f)) continue;
    if (standsAlone(ws, f) && !OVERRIDE_NAME.test(posix.basename(f))) {
      projects.push({ files: [f], origin: { kind: 'file' } });
      continue;
    }
    // A fragment nothing names explicitly: compose never loads it alone. Beside a default base file,
    // it is a variant of that project (DefectDojo links `docker-compose.override.dev.yml` as the
    // override; netbox-docker passes `-f docker-compose.test.override.yml`), so it is checked merged.
    const dir = dirOf(f);
    const base = DEFAULT_COMPOSE_FILES.map((n) => (dir ? `${dir}/${n}` : n)).find((b) => composeFiles.includes(b));
    if (base !== undefined && base !== f && standsAlone(ws, base)) projects.push({ files: [base, f], origin: { kind: 'variant' } });
  }

  const seen = new Set<string>();
  const out: ComposeProjectSpec[] = [];
  for (const p of projects) {
    const key = JSON.stringify([p.files, p.profiles ?? null, p.envFiles ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  const order = { config: 0, 'compose-file': 1, default: 1, file: 1, script: 2, variant: 3 } as const;
  return out.sort((a, b) => (a.files[0]! < b.files[0]! ? -1 : a.files[0]! > b.files[0]! ? 1 : order[a.origin.kind] - order[b.origin.kind] || a.files.length - b.files.length));
}

/** `COMPOSE_FILE` in a folder's `.env`: the files docker compose loads there, split at the path separator. */
function composeFileVariable(ws: Workspace, dir: string): ComposeProjectSpec | undefined {
  const envFile = ws.read(dir ? `${dir}/.env` : '.env');
  if (!envFile) return undefined;
  const entries = parseEnvFile(envFile).doc?.entries ?? [];
  const get = (k: string) => {
    const e = entries.find((x) => x.key === k);
    return e?.value.kind === 'known' ? { value: e.value.value, span: e.span } : undefined;
  };
  const cf = get('COMPOSE_FILE');
  if (!cf) return undefined;
  const sep = get('COMPOSE_PATH_SEPARATOR')?.value ?? ':';
  const files = cf.value.split(sep).map((s) => s.trim()).filter(Boolean).flatMap((p) => inRoot(dir, p) ?? []);
  if (files.length === 0 || !files.every((f) => ws.exists(f))) return undefined;
  return { files, projectDir: dir, origin: { kind: 'compose-file', via: cf.span } };
}

const COMPOSE_COMMAND = /\bdocker(?:-compose|\s+compose)\b/g;

/**
 * `docker compose -f a.yml -f b.yml ...` command lines in a script, Makefile or CI file. Each line with
 * at least one `-f` whose files all exist is a project; paths are relative to the file's folder (for CI
 * files, to the repository root), and `--profile` and `--env-file` are kept.
 */
function scriptProjects(ws: Workspace, path: string): ComposeProjectSpec[] {
  const file = ws.read(path);
  if (!file || !/docker(-compose|\s+compose)/.test(file.text)) return [];
  const baseDir = CI_FILE.test(path) ? '' : dirOf(path);
  const out: ComposeProjectSpec[] = [];
  // Continuation lines (`\` at the end) belong to the command.
  const text = file.text.replace(/\\\r?\n/g, (m) => ' '.repeat(m.length));
  for (const m of text.matchAll(COMPOSE_COMMAND)) {
    const lineEnd = text.indexOf('\n', m.index);
    const rest = text.slice(m.index + m[0].length, lineEnd < 0 ? text.length : lineEnd);
    // Stop at the next shell separator: `; && || |` end the compose command.
    const cmd = rest.split(/\s(?:;|&&|\|\||\|)\s|;/)[0]!;
    const words = cmd.trim().split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));
    const files: string[] = [];
    const profiles: string[] = [];
    const envFiles: string[] = [];
    let projectDir: string | undefined;
    let unresolved = false;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const take = (flag: string, short?: string): string | undefined => {
        if (w === flag || (short && w === short)) return words[++i];
        if (w.startsWith(`${flag}=`)) return w.slice(flag.length + 1);
        return undefined;
      };
      const f = take('--file', '-f');
      if (f !== undefined) {
        if (/[$`(){}*]/.test(f) || f === '-') unresolved = true;
        else files.push(f);
        continue;
      }
      const p = take('--profile');
      if (p !== undefined) {
        profiles.push(p);
        continue;
      }
      const e = take('--env-file');
      if (e !== undefined) {
        envFiles.push(e);
        continue;
      }
      const d = take('--project-directory');
      if (d !== undefined) {
        projectDir = d;
        continue;
      }
      // The first word that is not an option is the compose subcommand: options after it are its own.
      if (!w.startsWith('-')) break;
    }
    if (unresolved || files.length === 0) continue;
    const resolveAll = (dir: string) => {
      const r = files.map((f) => inRoot(dir, f));
      return r.every((f): f is string => f !== undefined && ws.exists(f)) ? r : undefined;
    };
    const resolved = resolveAll(baseDir) ?? (baseDir !== '' ? resolveAll('') : undefined);
    if (!resolved) continue;
    const base = dirOf(resolved[0]!);
    const dir = projectDir !== undefined ? inRoot(baseDir, projectDir) ?? base : base;
    const via = { file: path, start: m.index, end: m.index + m[0].length + cmd.length };
    out.push({
      files: resolved,
      ...(profiles.length ? { profiles } : {}),
      ...(envFiles.length ? { envFiles: envFiles.flatMap((e) => inRoot(baseDir, e) ?? []) } : {}),
      ...(dir !== base ? { projectDir: dir } : {}),
      origin: { kind: 'script', via },
    });
  }
  return out;
}

/** `docker-compose.override.yml`, `compose.override.dev.yml`, `docker-compose.test.override.yml`. */
const OVERRIDE_NAME = /(^|[.\-_])override([.\-_]|$)/;

/** Whether compose could run the file alone: it includes others, or every service has an image, a build or an `extends:`. */
function standsAlone(ws: Workspace, path: string): boolean {
  const file = ws.read(path);
  if (!file) return false;
  const y = parseYaml(file);
  // A file that does not parse is reported (parse-error) as a stack of its own.
  if (!y.doc || y.problems.length) return true;
  const tree = composeTree(file, y.doc, dirOf(path), { lookup: () => undefined });
  // Included files bring services (and complete the ones named here): such a file is a project.
  if (valueOf(tree, 'include') !== undefined) return true;
  const services = valueOf(tree, 'services');
  if (services?.kind !== 'map') return false;
  // Compose refuses a service with neither an image nor a build ("invalid compose project"); a file
  // with one is completed by a file merged before it.
  return services.entries.length > 0 && services.entries.every((e) => ['image', 'build', 'extends'].some((k) => valueOf(e.value, k) !== undefined));
}

/** Files a compose file pulls in through `include:` and `extends: {file}`: never stacks of their own. */
function referencedFiles(ws: Workspace, path: string): string[] {
  const file = ws.read(path);
  if (!file || !/\b(include|extends)\s*:/.test(file.text)) return [];
  const y = parseYaml(file);
  if (!y.doc) return [];
  const tree = composeTree(file, y.doc, dirOf(path), { lookup: () => undefined });
  const dir = dirOf(path);
  const out: string[] = [];
  const add = (n: ComposeNode | undefined) => {
    const t = textOf(n);
    const p = t !== undefined ? inRoot(dir, t) : undefined;
    if (p !== undefined) out.push(p);
  };
  const inc = valueOf(tree, 'include');
  for (const item of inc?.kind === 'seq' ? inc.items : inc ? [inc] : []) {
    const p = item.kind === 'map' ? valueOf(item, 'path') : item;
    for (const n of p?.kind === 'seq' ? p.items : [p]) add(n);
  }
  const services = valueOf(tree, 'services');
  for (const e of services?.kind === 'map' ? services.entries : []) {
    const ext = valueOf(e.value, 'extends');
    if (ext?.kind === 'map') add(valueOf(ext, 'file'));
  }
  return out;
}
