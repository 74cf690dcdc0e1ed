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
  const ctx: ReadContext = { process, fs, ws };
  const files: LoadedFile[] = [];
  const appDir = reading?.appDir ?? process.workingDir;
  const dirs = searchDirs(process, appDir, reading);
  const runsManage = process.argv.some((w) => w.value.kind === 'known' && /(^|\/)manage\.py$/.test(w.value.value));

  let module: Value<string> | undefined = reading?.appEnv.get('DJANGO_SETTINGS_MODULE') ?? process.environment.get('DJANGO_SETTINGS_MODULE');
  const via: Span[] = [];
  if (!module) {
    for (const candidate of entryModules(ctx, reading, dirs, runsManage)) {
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
}

/** The module the app server loads, then manage.py: files whose import may set DJANGO_SETTINGS_MODULE. */
function entryModules(ctx: ReadContext, reading: AppServerReading | undefined, dirs: string[], runsManage: boolean): Candidate[] {
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
  if (reading || runsManage) {
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

