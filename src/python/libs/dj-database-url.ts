import { own } from '../../core/own.js';
import { unknown, type Span } from '../../core/value.js';
import { box, truthy, type Ev } from '../objects.js';
import { atom, dictOf, isDigits, isEv, urlText } from './build.js';
import type { CallArgs, LibraryHost, PythonLibrary } from './library.js';
import { parseQs, unquote, urlsplit } from './url.js';

/**
 * dj-database-url (https://github.com/jazzband/dj-database-url):
 * `config(env="DATABASE_URL", default=None, engine=None, conn_max_age=0, conn_health_checks=False,
 * disable_server_side_cursors=False, ssl_require=False)` reads the variable (else the default) and
 * returns `parse(...)` of it, or `{}` when neither is set; `parse(url, ...)` turns a URL into a
 * DATABASES entry. Modelled on 2.x; values that 0.5 (Debian's package) gives differently are noted.
 */

/** `SCHEMES` (2.x; 0.5 named PostgreSQL `django.db.backends.postgresql_psycopg2`, which Django 3.0 removed). */
const SCHEMES: Record<string, string> = {
  postgres: 'django.db.backends.postgresql',
  postgresql: 'django.db.backends.postgresql',
  pgsql: 'django.db.backends.postgresql',
  postgis: 'django.contrib.gis.db.backends.postgis',
  mysql: 'django.db.backends.mysql',
  mysql2: 'django.db.backends.mysql',
  mysqlgis: 'django.contrib.gis.db.backends.mysql',
  'mysql-connector': 'mysql.connector.django',
  mssql: 'sql_server.pyodbc',
  mssqlms: 'mssql',
  spatialite: 'django.contrib.gis.db.backends.spatialite',
  sqlite: 'django.db.backends.sqlite3',
  oracle: 'django.db.backends.oracle',
  oraclegis: 'django.contrib.gis.db.backends.oracle',
  redshift: 'django_redshift_backend',
  cockroach: 'django_cockroachdb',
  timescale: 'timescale.db.backends.postgresql',
  timescalegis: 'timescale.db.backends.postgis',
};

interface ParseOptions {
  engine?: Ev;
  connMaxAge?: Ev;
  connHealthChecks?: Ev;
  disableServerSideCursors?: Ev;
  sslRequire?: Ev;
}

function options(args: CallArgs, from: number): ParseOptions {
  const pick = (name: string, index: number): Ev | undefined => args.keywords.get(name) ?? args.positional[from + index];
  const out: ParseOptions = {};
  const set = <K extends keyof ParseOptions>(k: K, v: Ev | undefined) => {
    if (v) out[k] = v;
  };
  set('engine', pick('engine', 0));
  set('connMaxAge', pick('conn_max_age', 1));
  set('connHealthChecks', pick('conn_health_checks', 2));
  set('disableServerSideCursors', pick('disable_server_side_cursors', 3));
  set('sslRequire', pick('ssl_require', 4));
  return out;
}

/** `parse(url, ...)`; `callSpan` is where a missing keyword argument would be written. */
export function parseDatabaseUrl(value: Ev, opts: ParseOptions, span: Span): Ev {
  const t = urlText(value, span, 'the database URL');
  if (isEv(t)) return t;
  const via = t.via;
  const s = (v: string) => atom(v, span, via);
  const engineGiven = opts.engine && !(opts.engine.kind === 'known' && opts.engine.value === null) ? opts.engine : undefined;
  if (t.text === 'sqlite://:memory:') return dictOf([['ENGINE', s(SCHEMES.sqlite!)], ['NAME', s(':memory:')]], span);
  const parsed = urlsplit(t.text);
  if (!parsed.ok) return unknown(`the database URL cannot be parsed: ${parsed.reason}`, span);
  const url = parsed.url;
  let path = url.path.slice(1);
  if (url.scheme === 'sqlite' && path === '') path = ':memory:';
  if (url.hostname?.includes('%') || url.netloc.toLowerCase().includes('%2f')) return unknown('a percent-encoded host (a socket path) is read differently by dj-database-url releases', span);
  let engine: Ev | undefined = engineGiven;
  if (!engine) {
    const known = own(SCHEMES, url.scheme);
    if (!known) return unknown(`dj_database_url raises ValueError for the scheme ${JSON.stringify(url.scheme)} (or a release that knows it maps it)`, span);
    engine = s(known);
  }
  const name = unquote(path);
  const user = unquote(url.username ?? '');
  const password = unquote(url.password ?? '');
  if (name === undefined || user === undefined || password === undefined) return unknown('the database URL has a percent escape that is not modelled', span);
  const stringPort = engine.kind === 'known' && (engine.value === SCHEMES.oracle || engine.value === SCHEMES.mssql);
  const port = url.port ? (stringPort ? s(String(url.port)) : atom(url.port, span, via)) : s('');
  const entries: Array<[string, Ev]> = [
    ['NAME', s(name)],
    ['USER', s(user)],
    ['PASSWORD', s(password)],
    ['HOST', s(url.hostname ?? '')],
    ['PORT', port],
    // The library's default, written nowhere: its span is the call, where `conn_max_age=` would go.
    ['CONN_MAX_AGE', opts.connMaxAge ?? atom(0, span, undefined, { isDefault: true })],
  ];
  // Absent, Django reads both as False, which is also the library's default: only given ones are set.
  if (opts.connHealthChecks) entries.push(['CONN_HEALTH_CHECKS', opts.connHealthChecks]);
  if (opts.disableServerSideCursors) entries.push(['DISABLE_SERVER_SIDE_CURSORS', opts.disableServerSideCursors]);
  entries.push(['ENGINE', engine]);
  const opt: Array<[string, Ev]> = [];
  if (url.query) {
    const qs = parseQs(url.query);
    if (!qs) return unknown('the query string of the database URL cannot be decoded', span);
    for (const [key, values] of qs) {
      const v = values[values.length - 1]!;
      if (url.scheme === 'mysql' && key === 'ssl-ca') {
        opt.push(['ssl', dictOf([['ca', s(v)]], span)]);
        continue;
      }
      if (key === 'currentSchema') return unknown('currentSchema in a database URL is not modelled', span);
      // 2.x casts digits to int and true/false to bool; 0.5 keeps every value a string.
      const differs = isDigits(v) || ['true', 'false'].includes(v.toLowerCase());
      opt.push([key, differs ? unknown(`dj_database_url releases read ${key}=${v} as a string (0.5) or as a number or boolean (2.x)`, span) : s(v)]);
    }
  }
  if (opts.sslRequire) {
    const t2 = truthy(opts.sslRequire);
    if (t2 === undefined) return unknown('ssl_require cannot be known', span);
    if (t2) opt.push(['sslmode', atom('require', opts.sslRequire.span, undefined)]);
  }
  if (opt.length > 0) entries.push(['OPTIONS', dictOf(opt, span)]);
  return dictOf(entries, span);
}

function config(args: CallArgs, span: Span, host: LibraryHost): Ev {
  const envArg = args.keywords.get('env') ?? args.positional[0];
  if (envArg && (envArg.kind !== 'known' || typeof envArg.value !== 'string')) return unknown('the variable name cannot be known', span);
  const name = envArg?.kind === 'known' ? String(envArg.value) : 'DATABASE_URL';
  const fallback = args.keywords.get('default') ?? args.positional[1];
  const value = host.env(name, span) ?? fallback;
  if (value === undefined) return dictOf([], span);
  const t = truthy(value);
  if (t === undefined) return unknown(value.kind === 'unknown' ? value.reason : `${name} cannot be known`, span);
  if (!t) return dictOf([], span);
  const opts = options(args, 2);
  return parseDatabaseUrl(value, opts, span);
}

export const djDatabaseUrlLibrary: PythonLibrary = {
  name: 'dj_database_url',
  modules: ['dj_database_url'],
  attribute(module, name, span) {
    if (module !== 'dj_database_url') return undefined;
    if (name === 'config' || name === 'parse') return box({ type: 'builtin', name: `dj_database_url.${name}` }, span);
    return undefined;
  },
  call(fn, args, span, host) {
    if (fn === 'dj_database_url.config') return config(args, span, host);
    if (fn === 'dj_database_url.parse') {
      const url = args.positional[0] ?? args.keywords.get('url');
      if (!url) return unknown('parse() needs a URL', span);
      return parseDatabaseUrl(url, options(args, 1), span);
    }
    return undefined;
  },
};
