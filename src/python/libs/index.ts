import { djDatabaseUrlLibrary } from './dj-database-url.js';
import { decoupleLibrary } from './decouple.js';
import { djangoEnvironLibrary } from './django-environ.js';
import { dotenvLibrary } from './dotenv.js';
import { LibrarySet } from './library.js';
import { multiprocessingLibrary, osLibrary } from './os.js';

export { LibrarySet, type CallArgs, type LibraryHost, type PythonLibrary } from './library.js';

/** What any Python config may use: the process environment, the CPU count. A gunicorn.conf.py is read with these. */
export const CORE_LIBRARIES = new LibrarySet([osLibrary, multiprocessingLibrary]);

/** What Django settings modules use on top: .env loaders and the settings helpers of the Django world. */
export const DJANGO_SETTINGS_LIBRARIES = new LibrarySet([osLibrary, multiprocessingLibrary, dotenvLibrary, djangoEnvironLibrary, decoupleLibrary, djDatabaseUrlLibrary]);
