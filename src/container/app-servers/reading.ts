import { known, unknown, type Span, type Unknown, type Value } from '../../core/value.js';
import { evaluateSettings, resolveModule, type SettingsModule } from '../../python/evaluate.js';
import { CORE_LIBRARIES } from '../../python/libs/index.js';
import type { PyValue } from '../../python/value.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { ContainerFs } from '../filesystem.js';
import type { AppServerFacts, ContainerProcess, LoadedFile, UnknownPart } from '../types.js';

/** What reading an app server found, beyond the facts: what the view records and Django discovery needs. */
export interface AppServerReading {
  readonly facts: AppServerFacts;
  /** Config files read (gunicorn.conf.py, uwsgi.ini), with their parse problems. */
  readonly files: readonly LoadedFile[];
  readonly unknowns: readonly UnknownPart[];
  /** The folder the application is imported from (gunicorn `--chdir`, uWSGI `chdir`); the working dir otherwise. */
  readonly appDir: Value<string>;
  /** Container folders added to the import path (gunicorn `--pythonpath`, uWSGI `pythonpath`). */
  readonly pythonPath: readonly string[];
  /** Variables the server sets for the application (gunicorn `--env`, uWSGI `env`). */
  readonly appEnv: ReadonlyMap<string, Value<string>>;
}

export interface ReadContext {
  readonly process: ContainerProcess;
  readonly fs: ContainerFs;
  readonly ws: Workspace;
}

/**
 * A program's settings from its sources, applied in the program's order of precedence: each `set`
 * overrides what came before; `setAll` is a source that may set anything (a config file we cannot
 * read), after which every setting is unknown unless a later source sets it.
 */
export class SettingLayers {
  private readonly values = new Map<string, Value<unknown>>();
  private anything: Unknown | undefined;

  set(name: string, value: Value<unknown>): void {
    this.values.set(name, value);
  }

  setAll(reason: string, span: Span): void {
    this.values.clear();
    this.anything = unknown(reason, span);
  }

  /**
   * A command line as a source: a word that cannot be known may set anything, then each option it
   * gives overrides what came before.
   */
  setCommandLine(unreadable: readonly Value<string>[], options: Iterable<readonly [string, Value<unknown>]>): void {
    const u = unreadable[0];
    if (u) this.setAll(`the command line has a word that cannot be known: ${u.kind === 'unknown' ? u.reason : ''}`, u.span);
    for (const [name, value] of options) this.set(name, value);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The setting, else the program's default (marked isDefault, at `defaultSpan`, where a user would write it). */
  get<T>(name: string, fallback: T, defaultSpan: Span): Value<unknown> {
    return this.values.get(name) ?? this.anything ?? known(fallback, defaultSpan, { isDefault: true });
  }

  /** The setting if any source set it (or may have). */
  given(name: string): Value<unknown> | undefined {
    return this.values.get(name) ?? this.anything;
  }
}

/** The repository file behind a container path, or undefined when the container has none there. */
export function hostFile(fs: ContainerFs, containerPath: string): { hostPath: string; via: Span } | undefined {
  const f = fs.resolve(containerPath);
  return f ? { hostPath: f.hostPath, via: f.via } : undefined;
}

/**
 * Evaluates a Python config file (gunicorn.conf.py) statically, with the process's environment as
 * os.environ and only the core libraries (no Django helpers): never executed.
 */
export function evaluateConfigFile(ctx: ReadContext, hostPath: string, searchRoots: string[]): SettingsModule {
  const env = ctx.process.environment;
  return evaluateSettings({
    entry: hostPath,
    searchRoots,
    readFile: (p) => ctx.ws.read(p),
    exists: (p) => ctx.ws.exists(p),
    env: { get: (name) => env.get(name) },
    libraries: CORE_LIBRARIES,
  });
}

/** Resolves `pkg.module` to a container file under the given container folders. */
export function resolveContainerModule(ctx: ReadContext, module: string, dirs: readonly string[]): { containerPath: string; hostPath: string; via: Span } | undefined {
  for (const dir of dirs) {
    const found = resolveModule(module, [dir === '/' ? '' : dir.replace(/^\//, '')], (p) => ctx.fs.resolve(`/${p}`) !== undefined);
    if (!found) continue;
    const f = ctx.fs.resolve(`/${found}`)!;
    return { containerPath: `/${found}`, hostPath: f.hostPath, via: f.via };
  }
  return undefined;
}

/** A Python value as an option's raw value: str/int/float/bool kept, lists kept as arrays of values. */
export function fromPython(v: PyValue): Value<unknown> {
  if (v.kind === 'unknown') return v;
  const d = v.value;
  if (d === null || typeof d !== 'object') return v;
  if (d.type === 'dict') return unknown('a dict where a plain value is expected', v.span);
  return { ...v, value: d.items.map(fromPython) };
}

export function loaded(result: SettingsModule): LoadedFile {
  return { path: result.entry, problems: result.problems, comments: result.comments };
}
