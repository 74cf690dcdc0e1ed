import { own } from '../../core/own.js';
import { unknown, type Span } from '../../core/value.js';

import { intFromString } from '../convert.js';
import { box, pyEquals, PyRaise, scalar, type Ev, type LibObject } from '../objects.js';
import { atom, dictOf, isDigits, isEv, urlText } from './build.js';
import { loadDotenv } from './dotenv.js';
import type { CallArgs, LibraryHost, PythonLibrary } from './library.js';
import { parseQs, unquote, urlsplit } from './url.js';

/**
 * django-environ (https://django-environ.readthedocs.io/): `env = environ.Env(VAR=(cast, default))`,
 * `env("X")`, `env.str/bool/int/float/list("X", default=...)`, `env.db()`/`env.db_url()`,
 * `env.cache()`/`env.cache_url()`, `environ.Env.read_env()`. Modelled on django-environ 0.11/0.12;
 * where older releases differ (the PostgreSQL engine name, which base options the URL may set) the
 * newer behaviour is given and the difference noted.
 */

/** `environ.Env(DEBUG=(bool, False))`: the cast and default django-environ applies to that variable. */
interface EnvSchemaEntry {
  readonly cast: Ev;
  readonly default?: Ev;
}

/** `Env.BOOLEAN_TRUE_STRINGS`. */
const TRUE_STRINGS = new Set(['true', 'on', 'ok', 'y', 'yes', '1']);

/** `Env.DB_SCHEMES` (0.11). django-environ 0.4 named PostgreSQL `django.db.backends.postgresql_psycopg2`, which Django 3.0 removed. */
const DB_SCHEMES: Record<string, string> = {
  postgres: 'django.db.backends.postgresql',
  postgresql: 'django.db.backends.postgresql',
  psql: 'django.db.backends.postgresql',
  pgsql: 'django.db.backends.postgresql',
  postgis: 'django.contrib.gis.db.backends.postgis',
  mysql: 'django.db.backends.mysql',
  mysql2: 'django.db.backends.mysql',
  'mysql-connector': 'mysql.connector.django',
  mysqlgis: 'django.contrib.gis.db.backends.mysql',
  mssql: 'mssql',
  oracle: 'django.db.backends.oracle',
  pyodbc: 'sql_server.pyodbc',
  redshift: 'django_redshift_backend',
  spatialite: 'django.contrib.gis.db.backends.spatialite',
  sqlite: 'django.db.backends.sqlite3',
  ldap: 'ldapdb.backends.ldap',
};
const POSTGRES_FAMILY = new Set(['postgres', 'postgresql', 'psql', 'pgsql', 'postgis']);
/** `Env._DB_BASE_OPTIONS` of 0.4 (0.9 added DISABLE_SERVER_SIDE_CURSORS and CONN_HEALTH_CHECKS). */
const DB_BASE_OPTIONS = new Set(['CONN_MAX_AGE', 'ATOMIC_REQUESTS', 'AUTOCOMMIT']);
const DB_BASE_OPTIONS_LATER = new Set(['DISABLE_SERVER_SIDE_CURSORS', 'CONN_HEALTH_CHECKS']);
/** `Env._CACHE_BASE_OPTIONS`. */
const CACHE_BASE_OPTIONS = new Set(['TIMEOUT', 'KEY_PREFIX', 'VERSION', 'KEY_FUNCTION', 'BINARY']);
/** Cache schemes whose backend does not depend on the release or on what is installed. */
const FIXED_CACHE_BACKENDS: Record<string, string> = {
  dbcache: 'django.core.cache.backends.db.DatabaseCache',
  dummycache: 'django.core.cache.backends.dummy.DummyCache',
  locmemcache: 'django.core.cache.backends.locmem.LocMemCache',
};

function reader(schema: ReadonlyMap<string, EnvSchemaEntry>): LibObject {
  return { type: 'lib-object', lib: 'django-environ', kind: 'reader', description: 'a django-environ Env reader', data: schema };
}

function viaOf(ev: Ev): { via?: readonly Span[] } {
  return ev.kind !== 'unknown' && ev.via ? { via: ev.via } : {};
}

/** `_cast_int`: a str of digits becomes an int, anything else stays. */
function castInt(s: string, span: Span, via: readonly Span[] | undefined): Ev {
  return isDigits(s) ? atom(Number(s), span, via) : atom(s, span, via);
}

/**
 * `Env.get_value`: the variable, else the default (returned as written, not cast); unset without a
 * default raises ImproperlyConfigured.
 */
function getValue(name: string, fallback: Ev | undefined, span: Span, host: LibraryHost): { value: Ev; fromDefault: boolean } {
  const value = host.env(name, span);
  if (value === undefined) {
    if (fallback === undefined) throw new PyRaise('ImproperlyConfigured', `Set the ${name} environment variable`, span);
    return { value: fallback, fromDefault: true };
  }
  if (value.kind === 'known' && typeof value.value === 'string' && value.value.startsWith('$')) {
    return { value: unknown(`${name} starts with $, which django-environ may resolve as a reference to another variable`, span), fromDefault: false };
  }
  return { value, fromDefault: false };
}

/** `env("X", default=...)` and `env.str/int/bool/float/list(...)`. */
function environGet(schema: ReadonlyMap<string, EnvSchemaEntry>, method: string | undefined, args: CallArgs, span: Span, host: LibraryHost): Ev {
  const casts: Record<string, string | undefined> = { str: 'str', bool: 'bool', int: 'int', float: 'float', list: 'list' };
  if (method !== undefined && !Object.hasOwn(casts, method)) return unknown(`env.${method}() is not evaluated`, span);
  const [a0, a1] = args.positional;
  if (!a0 || a0.kind !== 'known' || typeof a0.value !== 'string') return unknown('the variable name cannot be known', span);
  const name = a0.value;
  const fromSchema = schema.get(name);
  let cast: Ev | string | undefined = method ? casts[method] : (args.keywords.get('cast') ?? (method === undefined ? a1 : undefined) ?? fromSchema?.cast);
  if (method === 'list' && (args.keywords.has('cast') || a1)) return unknown('env.list(cast=...) is not evaluated', span);
  if (args.keywords.has('parse_default')) return unknown('parse_default is not evaluated', span);
  const explicitDefault = args.keywords.get('default') ?? (method !== undefined && method !== 'list' ? a1 : args.positional[2]);
  const fallback = explicitDefault ?? fromSchema?.default;
  const { value, fromDefault } = getValue(name, fallback, span, host);
  if (fromDefault) return value;
  if (value.kind !== 'known' || typeof value.value !== 'string') return value;
  if (fallback && pyEquals(value, fallback) === true) return value;
  if (typeof cast !== 'string' && cast?.kind === 'box' && cast.obj.type === 'builtin') cast = cast.obj.name;
  if (cast === undefined || (typeof cast !== 'string' && cast.kind === 'known' && cast.value === null)) return value;
  switch (cast) {
    case 'str':
      return value;
    case 'bool': {
      const asInt = intFromString(value.value);
      return scalar(asInt.ok ? asInt.value !== 0 : TRUE_STRINGS.has(value.value.toLowerCase()), span, viaOf(value));
    }
    case 'int':
      return host.builtin('int', value, span);
    case 'float':
      return /^[0-9]+(\.[0-9]+)?$/.test(value.value) ? scalar(Number(value.value), span, { ...viaOf(value), float: true }) : unknown(`env.float() of ${JSON.stringify(value.value)} is not evaluated`, span);
    case 'list':
      return box({ type: 'list', items: value.value.split(',').filter((x) => x !== '').map((x) => scalar(x, span, viaOf(value))) }, span);
    default:
      return unknown('this cast is not evaluated', span);
  }
}

/** The variable and default of `env.db(var="DATABASE_URL", default=..., engine=...)` and `env.cache(...)`. */
function urlArgs(args: CallArgs, defaultVar: string, extra: string, span: Span): { name: string; fallback?: Ev; extra?: Ev } | Ev {
  const [a0, a1, a2] = args.positional;
  const nameArg = args.keywords.get('var') ?? a0;
  if (nameArg && (nameArg.kind !== 'known' || typeof nameArg.value !== 'string')) return unknown('the variable name cannot be known', span);
  const out: { name: string; fallback?: Ev; extra?: Ev } = { name: nameArg?.kind === 'known' ? String(nameArg.value) : defaultVar };
  const fallback = args.keywords.get('default') ?? a1;
  if (fallback) out.fallback = fallback;
  const e = args.keywords.get(extra) ?? a2;
  if (e) out.extra = e;
  return out;
}

/** `Env.db_url_config(url, engine)`. */
export function dbUrlConfig(value: Ev, engineArg: Ev | undefined, span: Span): Ev {
  const t = urlText(value, span, 'the database URL');
  if (isEv(t)) return t;
  const via = t.via;
  const s = (v: string) => atom(v, span, via);
  if (t.text === 'sqlite://:memory:') return dictOf([['ENGINE', s(DB_SCHEMES.sqlite!)], ['NAME', s(':memory:')]], span);
  const parsed = urlsplit(t.text);
  if (!parsed.ok) return unknown(`the database URL cannot be parsed: ${parsed.reason}`, span);
  const url = parsed.url;
  let path = unquote(url.path.slice(1).split('?', 1)[0]!, true);
  if (path === undefined) return unknown('the database URL has a percent escape that is not modelled', span);
  if (url.scheme === 'sqlite' && path === '') path = ':memory:';
  if (url.scheme === 'ldap' || url.scheme === 'oracle') return unknown(`${url.scheme} URLs are not modelled`, span);
  const hostPart = url.netloc.slice(url.netloc.lastIndexOf('@') + 1);
  // Newer releases read a host list (`host1,host2`) and a socket folder in the path for PostgreSQL.
  if (POSTGRES_FAMILY.has(url.scheme) && (hostPart.includes(',') || path.startsWith('/'))) return unknown('PostgreSQL host lists and socket paths in URLs are read differently by django-environ releases', span);
  if (url.hostname?.includes('%')) return unknown('a percent-encoded host (a socket path) is read differently by django-environ releases', span);
  const user = url.username !== undefined ? unquote(url.username) : '';
  const password = url.password !== undefined ? unquote(url.password) : '';
  if (user === undefined || password === undefined) return unknown('the database URL has a percent escape that is not modelled', span);
  const entries: Array<[string, Ev]> = [
    ['NAME', s(path)],
    ['USER', s(user)],
    ['PASSWORD', s(password)],
    ['HOST', s(url.hostname ?? '')],
    ['PORT', url.port ? atom(url.port, span, via) : s('')],
  ];
  if (url.query) {
    const qs = parseQs(url.query);
    if (!qs) return unknown('the query string of the database URL cannot be decoded', span);
    const options: Array<[string, Ev]> = [];
    for (const [k, values] of qs) {
      const v = values[0]!;
      const upper = k.toUpperCase();
      if (DB_BASE_OPTIONS.has(upper)) setEntry(entries, upper, castInt(v, span, via));
      else if (DB_BASE_OPTIONS_LATER.has(upper)) setEntry(entries, upper, unknown(`django-environ 0.9 and later read ${k} as a setting, earlier releases as an OPTIONS entry`, span));
      else setEntry(options, k, castInt(v, span, via));
    }
    entries.push(['OPTIONS', dictOf(options, span)]);
  }
  let engine: Ev | undefined;
  if (engineArg && !(engineArg.kind === 'known' && engineArg.value === null)) engine = engineArg;
  else if (own(DB_SCHEMES, url.scheme)) engine = s(own(DB_SCHEMES, url.scheme)!);
  if (!engine) return unknown(`the database URL scheme ${JSON.stringify(url.scheme)} is not one django-environ knows`, span);
  entries.push(['ENGINE', engine]);
  return dictOf(entries, span);
}

function setEntry(entries: Array<[string, Ev]>, key: string, value: Ev): void {
  const i = entries.findIndex(([k]) => k === key);
  if (i >= 0) entries[i] = [key, value];
  else entries.push([key, value]);
}

/** `Env.cache_url_config(url, backend)`. */
export function cacheUrlConfig(value: Ev, backendArg: Ev | undefined, span: Span): Ev {
  const t = urlText(value, span, 'the cache URL');
  if (isEv(t)) return t;
  const via = t.via;
  const s = (v: string) => atom(v, span, via);
  const parsed = urlsplit(t.text);
  if (!parsed.ok) return unknown(`the cache URL cannot be parsed: ${parsed.reason}`, span);
  const url = parsed.url;
  let backend: Ev | undefined;
  if (backendArg && !(backendArg.kind === 'known' && backendArg.value === null)) backend = backendArg;
  const entries: Array<[string, Ev]> = [];
  if (url.scheme.startsWith('redis')) {
    // The backend depends on the release and on what is installed (django-redis, redis_cache, Django's own).
    backend ??= unknown(`django-environ picks the Redis cache backend by its release and by which Redis client packages are installed`, span);
    const scheme = url.hostname ? url.scheme.replace('cache', '') : 'unix';
    const locations = url.netloc.split(',').map((loc) => s(`${scheme}://${loc}${url.path}`));
    entries.push(['BACKEND', backend], ['LOCATION', locations.length === 1 ? locations[0]! : box({ type: 'list', items: locations }, span)]);
  } else if (own(FIXED_CACHE_BACKENDS, url.scheme)) {
    const location = url.netloc.split(',');
    entries.push(['BACKEND', backend ?? s(own(FIXED_CACHE_BACKENDS, url.scheme)!)], ['LOCATION', location.length === 1 ? s(location[0]!) : box({ type: 'list', items: location.map(s) }, span)]);
  } else {
    return unknown(`the cache URL scheme ${JSON.stringify(url.scheme)} is not modelled`, span);
  }
  if (url.query) {
    const qs = parseQs(url.query);
    if (!qs) return unknown('the query string of the cache URL cannot be decoded', span);
    const options: Array<[string, Ev]> = [];
    for (const [k, values] of qs) {
      const upper = k.toUpperCase();
      const v = values[0]!;
      // 0.4 casts with _cast_int; newer releases with ast.literal_eval: digits agree, other text may not.
      const cast = isDigits(v) ? atom(Number(v), span, via) : unknown(`django-environ releases cast the cache option ${k}=${v} differently`, span);
      if (CACHE_BASE_OPTIONS.has(upper)) setEntry(entries, upper, cast);
      else setEntry(options, upper, cast);
    }
    entries.push(['OPTIONS', dictOf(options, span)]);
  }
  return dictOf(entries, span);
}

function dbOrCache(kind: 'db' | 'cache', args: CallArgs, span: Span, host: LibraryHost): Ev {
  const a = kind === 'db' ? urlArgs(args, 'DATABASE_URL', 'engine', span) : urlArgs(args, 'CACHE_URL', 'backend', span);
  if (isEv(a)) return a;
  const { value } = getValue(a.name, a.fallback, span, host);
  return kind === 'db' ? dbUrlConfig(value, a.extra, span) : cacheUrlConfig(value, a.extra, span);
}

export const djangoEnvironLibrary: PythonLibrary = {
  name: 'django-environ',
  modules: ['environ'],
  attribute(module, name, span) {
    if (module !== 'environ') return undefined;
    if (name === 'Env') return box({ type: 'builtin', name: 'environ.Env' }, span);
    return undefined;
  },
  member(self, name, span) {
    if (self.obj.type === 'builtin' && self.obj.name === 'environ.Env' && name === 'read_env') return box({ type: 'builtin', name: 'environ.Env.read_env' }, span);
    return undefined;
  },
  call(fn, args, span, host) {
    if (fn === 'environ.Env') {
      const schema = new Map<string, EnvSchemaEntry>();
      for (const [k, v] of args.keywords) {
        if (v.kind === 'box' && v.obj.type === 'tuple' && !v.obj.unknownContent) {
          const [cast, def] = v.obj.items;
          if (cast) schema.set(k, def ? { cast, default: def } : { cast });
        } else schema.set(k, { cast: v });
      }
      return box(reader(schema), span);
    }
    if (fn === 'environ.Env.read_env') return loadDotenv('read_env', args, span, host, 'module-dir');
    return undefined;
  },
  callObject(self, args, span, host) {
    if (self.kind !== 'reader') return undefined;
    return environGet(self.data as ReadonlyMap<string, EnvSchemaEntry>, undefined, args, span, host);
  },
  callMethod(self, name, args, span, host) {
    if (self.kind !== 'reader') return undefined;
    if (name === 'read_env') return loadDotenv('read_env', args, span, host, 'module-dir');
    if (name === 'db' || name === 'db_url') return dbOrCache('db', args, span, host);
    if (name === 'cache' || name === 'cache_url') return dbOrCache('cache', args, span, host);
    return environGet(self.data as ReadonlyMap<string, EnvSchemaEntry>, name, args, span, host);
  },
};
