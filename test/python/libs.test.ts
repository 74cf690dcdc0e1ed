import { describe, expect, test } from 'vitest';
import { evaluateSettings } from '../../src/python/evaluate.js';
import { CORE_LIBRARIES } from '../../src/python/libs/index.js';
import { at, envOf, evaluate, memoryRepo, plain } from './helpers.js';

/**
 * dj-database-url is not packaged for this machine's python3, so it is checked here against its
 * documented behaviour (README and the parse() reference of 2.x) rather than by the differential test.
 */
describe('dj_database_url', () => {
  test('config() reads DATABASE_URL; parse() gives the DATABASES entry; CONN_MAX_AGE defaults to 0 at the call', () => {
    const src = ['import dj_database_url', 'DATABASES = {"default": dj_database_url.config()}'].join('\n');
    const r = evaluate(src, { DATABASE_URL: 'postgres://app:p%40ss@pgbouncer:6432/app_db' });
    expect(plain(r.names.get('DATABASES'))).toEqual({
      default: { NAME: 'app_db', USER: 'app', PASSWORD: 'p@ss', HOST: 'pgbouncer', PORT: 6432, CONN_MAX_AGE: 0, ENGINE: 'django.db.backends.postgresql' },
    });
    const db = r.names.get('DATABASES')!;
    const host = db.kind === 'known' && typeof db.value === 'object' && db.value !== null && 'entries' in db.value ? db.value.entries[0]!.value : undefined;
    const hostEntry = host?.kind === 'known' && typeof host.value === 'object' && host.value !== null && 'entries' in host.value ? host.value.entries.find((e) => e.key.kind === 'known' && e.key.value === 'HOST')!.value : undefined;
    const age = host?.kind === 'known' && typeof host.value === 'object' && host.value !== null && 'entries' in host.value ? host.value.entries.find((e) => e.key.kind === 'known' && e.key.value === 'CONN_MAX_AGE')!.value : undefined;
    // HOST is written at the call, and came from the DATABASE_URL line of the env file.
    expect(at(r.file, hostEntry!.span)).toBe('2:25-2:49');
    expect(hostEntry!.kind === 'known' && hostEntry!.via?.map((s) => s.file)).toEqual(['.env']);
    expect(age).toMatchObject({ kind: 'known', value: 0, isDefault: true });
  });

  test('config(default=..., conn_max_age=..., conn_health_checks=..., ssl_require=True); env= names another variable', () => {
    const src = [
      'import dj_database_url',
      'A = dj_database_url.config(default="postgresql://u@db/x", conn_max_age=600, conn_health_checks=True)',
      'B = dj_database_url.config(env="REPLICA_URL", default="sqlite:////var/db.sqlite3", ssl_require=True)',
      'C = dj_database_url.config()',
      'D = dj_database_url.parse("mysql://root:pw@mysql:3307/shop?charset=utf8mb4")',
      'E = dj_database_url.parse("sqlite://")',
    ].join('\n');
    const r = evaluate(src, { REPLICA_URL: 'postgres://r@replica:5432/x' });
    expect(plain(r.names.get('A'))).toEqual({ NAME: 'x', USER: 'u', PASSWORD: '', HOST: 'db', PORT: '', CONN_MAX_AGE: 600, CONN_HEALTH_CHECKS: true, ENGINE: 'django.db.backends.postgresql' });
    expect(plain(r.names.get('B'))).toMatchObject({ HOST: 'replica', PORT: 5432, OPTIONS: { sslmode: 'require' } });
    // Neither DATABASE_URL nor a default: an empty dict (and a logged warning).
    expect(plain(r.names.get('C'))).toEqual({});
    expect(plain(r.names.get('D'))).toEqual({ NAME: 'shop', USER: 'root', PASSWORD: 'pw', HOST: 'mysql', PORT: 3307, CONN_MAX_AGE: 0, ENGINE: 'django.db.backends.mysql', OPTIONS: { charset: 'utf8mb4' } });
    expect(plain(r.names.get('E'))).toMatchObject({ NAME: ':memory:', ENGINE: 'django.db.backends.sqlite3' });
  });

  test('what releases disagree on, or what cannot be parsed, is unknown with the reason', () => {
    const src = ['import dj_database_url', 'A = dj_database_url.parse("postgres://u@db/x?connect_timeout=10")', 'B = dj_database_url.parse("unknownscheme://x/y")', 'C = dj_database_url.config(default="postgres://u@db:notaport/x")'].join('\n');
    const r = evaluate(src);
    expect(plain(r.names.get('A'))).toMatchObject({ OPTIONS: { connect_timeout: { unknown: 'dj_database_url releases read connect_timeout=10 as a string (0.5) or as a number or boolean (2.x)' } } });
    expect(plain(r.names.get('B'))).toEqual({ unknown: 'dj_database_url raises ValueError for the scheme "unknownscheme" (or a release that knows it maps it)' });
    expect(plain(r.names.get('C'))).toEqual({ unknown: "the database URL cannot be parsed: Port could not be cast to integer value as 'notaport'" });
  });
});

describe('django-environ URLs (compared with python3 by test/oracles; here: spans and unknowns)', () => {
  test('env.db() values are written at the call and come from the variable; an unparseable URL is unknown', () => {
    const src = ['import environ', 'env = environ.Env()', 'DB = env.db()', 'BAD = env.db("X", default="postgres://h1,h2/app")', 'C = env.cache()'].join('\n');
    const r = evaluate(src, { DATABASE_URL: 'postgres://u:p@pg:5432/app?conn_max_age=60', CACHE_URL: 'redis://redis:6379/1' });
    // A query string always gives OPTIONS, empty once CONN_MAX_AGE is taken out of it.
    expect(plain(r.names.get('DB'))).toEqual({ NAME: 'app', USER: 'u', PASSWORD: 'p', HOST: 'pg', PORT: 5432, CONN_MAX_AGE: 60, OPTIONS: {}, ENGINE: 'django.db.backends.postgresql' });
    expect(plain(r.names.get('BAD'))).toEqual({ unknown: 'PostgreSQL host lists and socket paths in URLs are read differently by django-environ releases' });
    expect(plain(r.names.get('C'))).toEqual({ BACKEND: { unknown: 'django-environ picks the Redis cache backend by its release and by which Redis client packages are installed' }, LOCATION: 'redis://redis:6379/1' });
  });
});

describe('library sets', () => {
  test('a gunicorn.conf.py is read with os and multiprocessing only: Django helpers are plain unresolved imports there', () => {
    const repo = memoryRepo({ 'gunicorn.conf.py': 'import os\nimport dj_database_url\nfrom decouple import config\nW = os.getenv("W", "2")\nD = dj_database_url.config()\nX = config("X", default=1)\n' });
    const r = evaluateSettings({ entry: 'gunicorn.conf.py', searchRoots: [''], readFile: repo.readFile, exists: repo.exists, env: envOf({}), libraries: CORE_LIBRARIES });
    expect(plain(r.names.get('W'))).toBe('2');
    expect(r.unresolvedImports.map((u) => u.module)).toEqual(['dj_database_url', 'decouple']);
    expect(r.names.get('D')?.kind).toBe('unknown');
    expect(r.names.get('X')?.kind).toBe('unknown');
  });
});
