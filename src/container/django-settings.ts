import { posix } from 'node:path';
import { known, type Span, type Value } from '../core/value.js';
import { environmentSetBy } from '../python/evaluate.js';
import { DJANGO_SETTINGS_LIBRARIES } from '../python/libs/index.js';
import type { Workspace } from '../workspace/workspace.js';
import { readAppServerReading, type AppServerReading } from './app-servers/index.js';
import { resolveContainerModule, type ReadContext } from './app-servers/reading.js';
import type { ContainerFs } from './filesystem.js';
import type { ContainerProcess, DjangoEntry, LoadedFile } from './types.js';

/**
 * The Django project a container runs, found from its process, the way Django finds it:
 * `DJANGO_SETTINGS_MODULE` from the environment the application sees (the process's, plus what the
 * app server sets: gunicorn `--env`, uWSGI `env`), else the `os.environ.setdefault(...)` in the
 * wsgi/asgi module the app server loads, or in manage.py; the module is then resolved in the
 * container's filesystem from the app's folder, the server's python path and PYTHONPATH.
 */
export interface DjangoDiscovery {
  readonly entry: DjangoEntry;
  /** Files read to find it (the wsgi module, manage.py). */
  readonly files: readonly LoadedFile[];
}

export function findDjango(process: ContainerProcess, fs: ContainerFs, ws: Workspace, reading?: AppServerReading): DjangoEntry | undefined {
  return discoverDjango(process, fs, ws, reading)?.entry;
}

export function discoverDjango(process: ContainerProcess, fs: ContainerFs, ws: Workspace, given?: AppServerReading): DjangoDiscovery | undefined {
  const reading = given ?? readAppServerReading(process, fs, ws);
  // Only a Python process loads Django: a shared env file's DJANGO_SETTINGS_MODULE does not make
  // the redis or nginx container a Django client.
  if (!reading && !runsPython(process)) return undefined;
  const ctx: ReadContext = { process, fs, ws };
  const files: LoadedFile[] = [];
  const appDir = reading?.appDir ?? process.workingDir;
  const dirs = searchDirs(process, appDir, reading);
  const manageAt = process.argv.findIndex((w) => w.value.kind === 'known' && /(^|\/)(manage\.py|django-admin)$/.test(w.value.value));
  const runsManage = manageAt >= 0;
  const manage = runsManage ? manageFile(ctx, process, manageAt) : undefined;
  // Python puts the script's folder first on sys.path.
  if (manage && manage !== 'not found' && manage.containerDir && !dirs.includes(manage.containerDir)) dirs.unshift(manage.containerDir);

  // `manage.py <command> --settings=X` sets DJANGO_SETTINGS_MODULE itself, over the environment.
  let module: Value<string> | undefined = (runsManage ? settingsOption(process, manageAt) : undefined) ?? reading?.appEnv.get('DJANGO_SETTINGS_MODULE') ?? process.environment.get('DJANGO_SETTINGS_MODULE');
  const via: Span[] = [];
  if (!module) {
    for (const candidate of entryModules(ctx, reading, dirs, manage)) {
      const found = setdefaultIn(ctx, candidate.hostPath, candidate.root, files);
      if (found) {
        module = found;
        via.push(candidate.via);
        break;
      }
    }
  }
  if (!module) return undefined;
  via.unshift(module.span);
  if (module.kind === 'unknown') return { entry: { settingsModule: module, via }, files };
  const settings = resolveContainerModule(ctx, module.value, dirs);
  if (!settings) return { entry: { settingsModule: module, via }, files };
  via.push(settings.via);
  return { entry: { settingsModule: module, settingsFile: settings.hostPath, via }, files };
}

/** Programs that run Python code which may load Django settings (workers and task runners included). */
const PYTHON_PROGRAMS = /^(python[0-9.]*|django-admin|celery|rq|rqworker|dramatiq|huey_consumer(\.py)?|manage\.py|pytest)$/;
const WRAPPERS = new Set(['exec', 'tini', '--', 'dumb-init', 'gosu', 'su-exec', 's6-setuidgid', 'env', 'nice', 'poetry', 'pipenv', 'uv', 'run', 'ddtrace-run', 'newrelic-admin', 'run-program', 'opentelemetry-instrument']);

function runsPython(process: ContainerProcess): boolean {
  for (const w of process.argv) {
    if (w.value.kind !== 'known') return false;
    const base = w.value.value.split('/').pop()!;
    if (PYTHON_PROGRAMS.test(base)) return true;
    if (!WRAPPERS.has(base) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(base) && !base.startsWith('-')) return false;
  }
  return false;
}

/** Where Python imports from in the container: the app's folder, the server's python path, PYTHONPATH. */
function searchDirs(process: ContainerProcess, appDir: Value<string>, reading: AppServerReading | undefined): string[] {
  const out: string[] = [];
  const add = (d: string | undefined) => {
    if (d && !out.includes(d)) out.push(posix.normalize(d));
  };
  add(appDir.kind === 'known' ? appDir.value : undefined);
  for (const d of reading?.pythonPath ?? []) add(d);
  const pp = process.environment.get('PYTHONPATH');
  if (pp?.kind === 'known') for (const d of pp.value.split(':')) add(d.startsWith('/') ? d : appDir.kind === 'known' && d ? posix.resolve(appDir.value, d) : undefined);
  add(process.workingDir.kind === 'known' ? process.workingDir.value : undefined);
  return out;
}

interface Candidate {
  readonly hostPath: string;
  /** The repository folder that is the import root for this file. */
  readonly root: string;
  readonly via: Span;
  /** Its folder in the container, for a script Python runs (sys.path[0]). */
  readonly containerDir?: string;
}

/** The module the app server loads, then manage.py: files whose import may set DJANGO_SETTINGS_MODULE. */
function entryModules(ctx: ReadContext, reading: AppServerReading | undefined, dirs: string[], manage: Candidate | 'not found' | undefined): Candidate[] {
  const out: Candidate[] = [];
  const app = reading?.facts.application;
  if (app?.kind === 'known') {
    const target = app.value.split(':')[0]!.trim();
    if (target.endsWith('.py')) {
      // uWSGI's wsgi-file: a path, not a module.
      const cp = target.startsWith('/') ? target : dirs[0] ? posix.resolve(dirs[0], target) : undefined;
      const f = cp ? ctx.fs.resolve(cp) : undefined;
      if (f) out.push({ hostPath: f.hostPath, root: posix.dirname(f.hostPath), via: app.span });
    } else {
      const m = resolveContainerModule(ctx, target, dirs);
      if (m) out.push({ hostPath: m.hostPath, root: rootOf(m.hostPath, target), via: app.span });
    }
  }
  if (manage && manage !== 'not found') out.push(manage);
  if (reading || manage) {
    for (const d of dirs) {
      const f = ctx.fs.resolve(posix.join(d, 'manage.py'));
      if (f) {
        out.push({ hostPath: f.hostPath, root: posix.dirname(f.hostPath) === '.' ? '' : posix.dirname(f.hostPath), via: f.via });
        break;
      }
    }
  }
  return out;
}

/** `--settings=X` or `--settings X` after the manage.py / django-admin word. */
function settingsOption(process: ContainerProcess, from: number): Value<string> | undefined {
  const argv = process.argv;
  for (let i = from + 1; i < argv.length; i++) {
    const v = argv[i]!.value;
    if (v.kind !== 'known') continue;
    if (v.value === '--settings') return argv[i + 1]?.value;
    if (v.value.startsWith('--settings=')) {
      const n = '--settings='.length;
      return known(v.value.slice(n), v.span.end - v.span.start === v.value.length ? { ...v.span, start: v.span.start + n } : v.span);
    }
  }
  return undefined;
}

/** The manage.py the process runs (`python /opt/app/manage.py ...`), in the container's filesystem. */
function manageFile(ctx: ReadContext, process: ContainerProcess, at: number): Candidate | 'not found' {
  const w = process.argv[at]!.value;
  if (w.kind !== 'known' || !w.value.endsWith('manage.py')) return 'not found';
  const wd = process.workingDir;
  const cp = w.value.startsWith('/') ? w.value : wd.kind === 'known' ? posix.resolve(wd.value, w.value) : undefined;
  const f = cp ? ctx.fs.resolve(cp) : undefined;
  if (!f) return 'not found';
  const dir = posix.dirname(f.hostPath);
  return { hostPath: f.hostPath, root: dir === '.' ? '' : dir, via: w.span, containerDir: posix.dirname(cp!) };
}

/** The repository folder a module was found under (`backend` for `backend/config/wsgi.py` as `config.wsgi`). */
function rootOf(hostPath: string, module: string): string {
  const depth = module.split('.').length + (hostPath.endsWith('/__init__.py') ? 1 : 0);
  let d = hostPath;
  for (let i = 0; i < depth; i++) d = posix.dirname(d);
  return d === '.' ? '' : d;
}

const SETDEFAULT = /os\.environ\.setdefault\(\s*(['"])DJANGO_SETTINGS_MODULE\1\s*,\s*(['"])([A-Za-z_][\w.]*)\2\s*\)/;

/** DJANGO_SETTINGS_MODULE as importing the file sets it; for manage.py, whose setdefault sits in main(), the literal call. */
function setdefaultIn(ctx: ReadContext, hostPath: string, root: string, files: LoadedFile[]): Value<string> | undefined {
  const env = ctx.process.environment;
  const r = environmentSetBy({
    entry: hostPath,
    searchRoots: [root],
    readFile: (p) => ctx.ws.read(p),
    exists: (p) => ctx.ws.exists(p),
    env: { get: (n) => env.get(n) },
    libraries: DJANGO_SETTINGS_LIBRARIES,
  });
  files.push({ path: hostPath, problems: r.problems, comments: r.comments });
  const set = r.set.get('DJANGO_SETTINGS_MODULE');
  if (set) return set;
  const src = ctx.ws.read(hostPath);
  const m = src ? SETDEFAULT.exec(src.text) : null;
  if (!m || !src) return undefined;
  const start = m.index + m[0].indexOf(m[3]!, m[0].indexOf(','));
  return known(m[3]!, { file: hostPath, start, end: start + m[3]!.length });
}

