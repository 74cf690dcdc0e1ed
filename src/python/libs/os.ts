import { unknown, type Span, type Value } from '../../core/value.js';
import { box, PyRaise, scalar, type Ev } from '../objects.js';
import type { CallArgs, LibraryHost, PythonLibrary } from './library.js';

/** Methods of os.environ that only read. */
const READ_ONLY = new Set(['get', 'copy', 'keys', 'values', 'items']);

function viaOf(ev: Ev): { via?: readonly Span[] } {
  return ev.kind !== 'unknown' && ev.via ? { via: ev.via } : {};
}

/** `os.getenv(name, default)` and `os.environ.get(name, default)`: the variable, else the default (None when none is given). */
export function envWithDefault(key: Ev | undefined, fallback: Ev, span: Span, host: LibraryHost): Ev {
  if (!key || key.kind !== 'known' || typeof key.value !== 'string') return unknown('the variable name cannot be known', span);
  return host.env(key.value, span) ?? fallback;
}

/**
 * The os module as settings and gunicorn configs use it: `os.environ` (subscripts and assignment are
 * the evaluator's own, being plain Python), `os.environ.get/setdefault`, `os.getenv`.
 */
export const osLibrary: PythonLibrary = {
  name: 'os',
  modules: ['os', 'os.path'],
  attribute(module, name, span) {
    if (module !== 'os') return undefined;
    if (name === 'environ') return box({ type: 'environ' }, span);
    if (name === 'path') return box({ type: 'module', name: 'os.path' }, span);
    if (name === 'getenv') return box({ type: 'builtin', name: 'os.getenv' }, span);
    return undefined;
  },
  call(fn, args, span, host) {
    if (fn !== 'os.getenv') return undefined;
    const [a0, a1] = args.positional;
    return envWithDefault(a0, a1 ?? args.keywords.get('default') ?? scalar(null, span), span, host);
  },
  environMethod(name: string, args: CallArgs, span: Span, host: LibraryHost) {
    const [a0, a1] = args.positional;
    if (name === 'get') return envWithDefault(a0, a1 ?? args.keywords.get('default') ?? scalar(null, span), span, host);
    if (name === 'setdefault') {
      if (!a0 || a0.kind !== 'known' || typeof a0.value !== 'string') {
        host.envForgetAll(`os.environ.setdefault at ${host.where(span)} with a name that cannot be known`);
        return unknown('the variable name cannot be known', span);
      }
      const existing = host.env(a0.value, span);
      if (existing) return existing;
      const value = a1 ?? scalar(null, span);
      if (value.kind === 'box' || (value.kind === 'known' && typeof value.value !== 'string')) throw new PyRaise('TypeError', 'os.environ values must be str', span);
      host.envSet(a0.value, value.kind === 'known' ? (scalar(value.value, value.span, viaOf(value)) as Value<string>) : value);
      return value;
    }
    if (!READ_ONLY.has(name)) host.envForgetAll(`os.environ.${name}() at ${host.where(span)} is not evaluated`);
    return unknown(`os.environ.${name}() is not evaluated`, span);
  },
};

/** `multiprocessing.cpu_count()`, the usual gunicorn.conf.py worker formula: the host's CPUs, never known statically. */
export const multiprocessingLibrary: PythonLibrary = {
  name: 'multiprocessing',
  modules: ['multiprocessing'],
  attribute(module, name, span) {
    return module === 'multiprocessing' && name === 'cpu_count' ? box({ type: 'builtin', name: 'multiprocessing.cpu_count' }, span) : undefined;
  },
  call(fn, _args, span) {
    return fn === 'multiprocessing.cpu_count' ? unknown('multiprocessing.cpu_count() is the number of CPUs of the machine the container runs on', span) : undefined;
  },
};
