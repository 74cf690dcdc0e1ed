import { own } from '../../core/own.js';
import { unknown, type Span } from '../../core/value.js';
import { pyStripChars } from '../convert.js';
import { box, PyRaise, pyText, scalar, type Ev, type LibObject } from '../objects.js';
import type { CallArgs, LibraryHost, PythonLibrary } from './library.js';

/**
 * python-decouple (https://github.com/HBNetwork/python-decouple): `config(name, default=, cast=)`
 * reads the environment, then settings.ini / .env next to the module or above it, then the default;
 * the cast applies to the default too. `Csv()` splits comma-separated text.
 */

/** `Config._BOOLEANS`. */
const BOOLEANS: Record<string, boolean> = { '1': true, yes: true, true: true, on: true, '0': false, no: false, false: false, off: false, '': false };

const CSV: LibObject = { type: 'lib-object', lib: 'decouple', kind: 'csv', description: 'a decouple Csv cast' };

function viaOf(ev: Ev): { via?: readonly Span[] } {
  return ev.kind !== 'unknown' && ev.via ? { via: ev.via } : {};
}

/** `Csv()`: comma-separated, items stripped, empty items dropped (it splits with shlex). */
export function csvCast(value: Ev, span: Span): Ev {
  if (value.kind === 'known' && value.value === null) return box({ type: 'list', items: [] }, span);
  const text = pyText(value, false);
  if (!text.ok) return unknown(text.reason, span);
  // shlex gives quotes, backslashes and comment characters meanings we do not follow.
  if (/["'\\#]/.test(text.value)) return unknown('Csv() of a value with quotes or backslashes is not evaluated', span);
  const items = text.value
    .split(',')
    .filter((s) => s !== '')
    .map((s) => scalar(pyStripChars(s, null, 'both'), span, viaOf(value)));
  return box({ type: 'list', items }, span);
}

function config(args: CallArgs, span: Span, host: LibraryHost): Ev {
  const [a0] = args.positional;
  if (!a0 || a0.kind !== 'known' || typeof a0.value !== 'string') return unknown('the variable name cannot be known', span);
  const name = a0.value;
  const fallback = args.keywords.get('default') ?? args.positional[1];
  const cast = args.keywords.get('cast') ?? args.positional[2];
  let value = host.env(name, span);
  if (value === undefined) {
    const files = host.decoupleFiles();
    if (files.length > 0) return unknown(`${name} may be set in ${files.join(', ')}, which python-decouple reads`, span);
    if (fallback === undefined) throw new PyRaise('UndefinedValueError', `${name} not found. Declare it as envvar or define a default value.`, span);
    value = fallback;
  }
  if (!cast) return value;
  if (cast.kind === 'box' && cast.obj.type === 'builtin' && cast.obj.name === 'bool') {
    const text = pyText(value, false);
    if (!text.ok) return unknown(text.reason, span);
    const b = own(BOOLEANS, text.value.toLowerCase());
    if (b === undefined) throw new PyRaise('ValueError', `Not a boolean: ${text.value}`, span);
    return scalar(b, span, viaOf(value));
  }
  if (cast.kind === 'box' && cast.obj.type === 'lib-object' && cast.obj.lib === 'decouple' && cast.obj.kind === 'csv') return csvCast(value, span);
  if (cast.kind === 'box' && cast.obj.type === 'builtin' && (cast.obj.name === 'int' || cast.obj.name === 'float' || cast.obj.name === 'str')) {
    return host.builtin(cast.obj.name, value, span);
  }
  return unknown('this cast is not evaluated', span);
}

export const decoupleLibrary: PythonLibrary = {
  name: 'decouple',
  modules: ['decouple'],
  attribute(module, name, span) {
    if (module !== 'decouple') return undefined;
    if (name === 'config' || name === 'Csv') return box({ type: 'builtin', name: `decouple.${name}` }, span);
    return undefined;
  },
  call(fn, args, span, host) {
    if (fn === 'decouple.config') return config(args, span, host);
    if (fn === 'decouple.Csv') return args.positional.length === 0 && args.keywords.size === 0 ? box(CSV, span) : unknown('Csv() with options is not evaluated', span);
    return undefined;
  },
  callObject(self, args, span) {
    if (self.kind !== 'csv') return undefined;
    return args.positional[0] ? csvCast(args.positional[0], span) : unknown('Csv() needs a value', span);
  },
};
