import type { Span, Value } from '../../core/value.js';
import type { Box, Ev, LibObject } from '../objects.js';

/**
 * What a modelled library sees of the evaluator. Libraries (os, dotenv, django-environ, decouple,
 * dj_database_url) live here rather than in the evaluator, so that evaluating a gunicorn.conf.py
 * carries only the libraries a gunicorn config can use, and Django settings the ones Django
 * projects use. A library never runs code: it models documented behaviour, and answers Unknown
 * (with a reason) for whatever it cannot know.
 */

/** A call's arguments, evaluated. */
export interface CallArgs {
  readonly positional: Ev[];
  readonly keywords: Map<string, Ev>;
  /** `*args` / `**kwargs` whose contents are not followed. */
  readonly spread: boolean;
}

/** The evaluator's services a library may use. */
export interface LibraryHost {
  /** An environment variable as a value (span = the expression, via = where it is set); undefined when unset. */
  env(name: string, span: Span): Ev | undefined;
  /** `os.environ[name] = value`; null deletes. */
  envSet(name: string, value: Value<string> | null): void;
  /** Something changed variables we cannot follow: every later read is unknown with `reason`. */
  envForgetAll(reason: string): void;
  /** A .env file may have been loaded into os.environ. */
  dotenvLoaded(span: Span, search: 'module-dir' | 'parents' | 'unknown'): void;
  /** settings.ini / .env files python-decouple would read for the module being evaluated. */
  decoupleFiles(): string[];
  /** `file:line` of a span, for reasons. */
  where(span: Span): string;
  /** Python's own int()/float()/str()/bool() applied to a value. */
  builtin(name: 'int' | 'float' | 'str' | 'bool', value: Ev, span: Span): Ev;
}

export interface PythonLibrary {
  /** Short name, used as `LibObject.lib`. */
  readonly name: string;
  /** Importable modules this library models (`import environ`, `from decouple import config`). */
  readonly modules: readonly string[];
  /** `module.name`, or `from module import name`; undefined when this library does not model it. */
  attribute?(module: string, name: string, span: Span): Ev | undefined;
  /** Calls a function this library named in a `builtin` box (`decouple.config`); undefined when not its own. */
  call?(fn: string, args: CallArgs, span: Span, host: LibraryHost): Ev | undefined;
  /** `obj.name` on one of its objects, or on one of its functions (`environ.Env.read_env`). */
  member?(self: Box, name: string, span: Span): Ev | undefined;
  /** `obj.name(...)` on one of its objects. */
  callMethod?(self: LibObject, name: string, args: CallArgs, span: Span, host: LibraryHost): Ev | undefined;
  /** `obj(...)` on one of its objects (a django-environ reader is callable). */
  callObject?(self: LibObject, args: CallArgs, span: Span, host: LibraryHost): Ev | undefined;
  /** `os.environ.name(...)`, for the library that models os. */
  environMethod?(name: string, args: CallArgs, span: Span, host: LibraryHost): Ev | undefined;
}

/** A fixed set of libraries, consulted in order. */
export class LibrarySet {
  readonly modules: ReadonlySet<string>;

  constructor(readonly libraries: readonly PythonLibrary[]) {
    this.modules = new Set(libraries.flatMap((l) => l.modules));
  }

  owner(module: string): PythonLibrary | undefined {
    return this.libraries.find((l) => l.modules.includes(module));
  }

  byName(name: string): PythonLibrary | undefined {
    return this.libraries.find((l) => l.name === name);
  }
}
