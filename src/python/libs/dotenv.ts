import { unknown, type Span } from '../../core/value.js';
import { box, truthy, type Ev } from '../objects.js';
import type { CallArgs, LibraryHost, PythonLibrary } from './library.js';

/**
 * Loading a .env file into os.environ (python-dotenv's `load_dotenv()`, django-environ's
 * `Env.read_env()`). The file is not read: variables it may set become unknown, and with
 * `override=True` every variable does.
 */
export function loadDotenv(label: string, args: CallArgs, span: Span, host: LibraryHost, search: 'module-dir' | 'parents'): Ev {
  const override = args.keywords.get('override');
  if (override && truthy(override) !== false) host.envForgetAll(`${label}(override=...) at ${host.where(span)} may replace any variable from a .env file`);
  const explicitPath = args.positional.length > 0 || args.keywords.has('env_file') || args.keywords.has('dotenv_path') || args.keywords.has('stream');
  host.dotenvLoaded(span, explicitPath ? 'unknown' : search);
  return unknown(`${label}() reads a .env file, which is not evaluated`, span);
}

/** python-dotenv: `load_dotenv()` searches the module's folder and its parents for `.env`. */
export const dotenvLibrary: PythonLibrary = {
  name: 'dotenv',
  modules: ['dotenv'],
  attribute(module, name, span) {
    return module === 'dotenv' && name === 'load_dotenv' ? box({ type: 'builtin', name: 'dotenv.load_dotenv' }, span) : undefined;
  },
  call(fn, args, span, host) {
    return fn === 'dotenv.load_dotenv' ? loadDotenv('load_dotenv', args, span, host, 'parents') : undefined;
  },
};
