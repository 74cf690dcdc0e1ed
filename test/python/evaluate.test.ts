import { describe, expect, test } from 'vitest';
import { known, unknown } from '../../src/core/value.js';
import { evaluateSettings } from '../../src/python/evaluate.js';
import { pyGet, pyPlain, pyTruthy, type PyValue } from '../../src/python/value.js';
import { at, envOf, evaluate, memoryRepo, plain } from './helpers.js';

function reasonOf(v: PyValue | undefined): string {
  expect(v?.kind).toBe('unknown');
  return v?.kind === 'unknown' ? v.reason : '';
}

describe('literals and spans', () => {
  const src = ['X = "a" "b"', 'N = 6432', 'F = 2.5', 'B = True', 'Z = None', 'H = 0x1F', "R = r'\\d'"].join('\n');
  const r = evaluate(src);

  test('values', () => {
    expect(plain(r.names.get('X'))).toBe('ab');
    expect(plain(r.names.get('N'))).toBe(6432);
    expect(plain(r.names.get('F'))).toBe(2.5);
    expect(plain(r.names.get('B'))).toBe(true);
    expect(plain(r.names.get('Z'))).toBe(null);
    expect(plain(r.names.get('H'))).toBe(31);
    expect(plain(r.names.get('R'))).toBe('\\d');
  });

  test('a value spans the expression as written (implicit concatenation included)', () => {
    expect(at(r.file, r.names.get('X')!.span)).toBe('1:5-1:12');
    expect(at(r.file, r.names.get('N')!.span)).toBe('2:5-2:9');
    expect(r.names.get('N')!.span.file).toBe('settings.py');
  });
});

describe('environment', () => {
  const src = [
    'import os',
    'from os import environ, getenv',
    'HOST = os.getenv("DB_HOST", "pgbouncer")',
    'PORT = os.environ.get("DB_PORT", "6432")',
    'NAME = os.getenv("DB_NAME")',
    'USER = environ["DB_USER"]',
    'PW = getenv("DB_PASSWORD")',
  ].join('\n');

  test('unset variables fall back to the default, whose span is the default literal', () => {
    const r = evaluate(src, { DB_USER: 'u' });
    const host = r.names.get('HOST')!;
    expect(plain(host)).toBe('pgbouncer');
    expect(at(r.file, host.span)).toBe('3:29-3:40');
    expect(plain(r.names.get('NAME'))).toBe(null);
  });

  test('set variables span the reading expression and point via the place they are set', () => {
    const r = evaluate(src, { DB_HOST: 'db', DB_PORT: '5432', DB_USER: 'u' });
    const host = r.names.get('HOST')!;
    expect(host.kind === 'known' && host.value).toBe('db');
    expect(at(r.file, host.span)).toBe('3:8-3:41');
    expect(host.kind === 'known' && host.via?.[0]?.file).toBe('.env');
    expect(plain(r.names.get('PORT'))).toBe('5432');
    expect(plain(r.names.get('USER'))).toBe('u');
  });

  test('os.environ[...] of an unset variable is a KeyError at import: unknown, and reported', () => {
    const r = evaluate(src);
    expect(reasonOf(r.names.get('USER'))).toMatch(/raises KeyError/);
    expect(r.raises.map((x) => x.message)).toEqual(['KeyError: DB_USER is not set']);
    expect(at(r.file, r.raises[0]!.span)).toBe('6:8-6:26');
  });

  test('a variable that may or may not be set is unknown with the lookup reason', () => {
    const env = { get: (name: string) => (name === 'DB_HOST' ? unknown('set from the shell', { file: 'compose.yml', start: 0, end: 1 }) : undefined) };
    const repo = memoryRepo({ 'settings.py': src.split('\n').slice(0, 3).join('\n') });
    const r = evaluateSettings({ entry: 'settings.py', searchRoots: [''], readFile: repo.readFile, env });
    expect(reasonOf(r.names.get('HOST'))).toBe('DB_HOST comes from the environment: set from the shell');
  });

  test('os.environ.setdefault and assignment change what later reads see', () => {
    const r = evaluate(['import os', 'os.environ.setdefault("A", "one")', 'os.environ["B"] = "two"', 'A = os.getenv("A")', 'B = os.environ["B"]', 'C = "A" in os.environ'].join('\n'), {});
    expect(plain(r.names.get('A'))).toBe('one');
    expect(plain(r.names.get('B'))).toBe('two');
    expect(plain(r.names.get('C'))).toBe(true);
  });

  test('load_dotenv() makes unset variables unknown only when a .env file exists', () => {
    const src2 = ['from dotenv import load_dotenv', 'load_dotenv()', 'import os', 'X = os.getenv("X", "d")'].join('\n');
    expect(plain(evaluate(src2).names.get('X'))).toBe('d');
    expect(reasonOf(evaluate(src2, {}, { '.env': 'X=1\n' }).names.get('X'))).toMatch(/may be set by \.env, loaded at settings\.py:2/);
  });
});

describe('expressions', () => {
  test('f-strings, % formatting and .format', () => {
    const r = evaluate(['H = "redis"', 'P = "6379"', 'L = f"redis://{H}:{P}/1"', 'S = "%s:%d" % (H, 5)', 'F = "{}-{x}".format(1, x=H)'].join('\n'));
    expect(plain(r.names.get('L'))).toBe('redis://redis:6379/1');
    expect(at(r.file, r.names.get('L')!.span)).toBe('3:5-3:25');
    expect(plain(r.names.get('S'))).toBe('redis:5');
    expect(plain(r.names.get('F'))).toBe('1-redis');
  });

  test('conversions and string methods keep the environment origin in via', () => {
    const r = evaluate(['import os', 'PORT = int(os.getenv("P", "1"))', 'HOSTS = os.getenv("H", "").split(",")', 'ON = os.getenv("D", "x").lower() == "true"'].join('\n'), { P: '6432', H: 'a,b', D: 'TRUE' });
    const port = r.names.get('PORT')!;
    expect(plain(port)).toBe(6432);
    expect(port.kind === 'known' && port.via?.length).toBe(1);
    expect(plain(r.names.get('HOSTS'))).toEqual(['a', 'b']);
    expect(plain(r.names.get('ON'))).toBe(true);
  });

  test("and/or/not follow Python's value semantics and precedence", () => {
    const r = evaluate(['A = 0 or "x"', 'B = not 0 and 5 or 6', 'C = 1 < 2 <= 2', 'D = 3 if None else 4', 'E = "b" in ("a", "b")'].join('\n'));
    expect(plain(r.names.get('A'))).toBe('x');
    expect(plain(r.names.get('B'))).toBe(5);
    expect(plain(r.names.get('C'))).toBe(true);
    expect(plain(r.names.get('D'))).toBe(4);
    expect(plain(r.names.get('E'))).toBe(true);
  });

  test('arithmetic on known numbers; division by zero is a definite raise', () => {
    const r = evaluate(['W = 15 * 8 * 4', 'T = 30 / 4', 'M = -7 % 3', 'Z = 1 / 0'].join('\n'));
    expect(plain(r.names.get('W'))).toBe(480);
    expect(plain(r.names.get('T'))).toBe(7.5);
    expect(plain(r.names.get('M'))).toBe(2);
    expect(reasonOf(r.names.get('Z'))).toMatch(/ZeroDivisionError/);
  });

  test('what is not modelled is unknown with a reason naming it', () => {
    const r = evaluate(['import socket', 'from pathlib import Path', 'K = socket.TCP_KEEPIDLE', 'B = Path(__file__).resolve().parent', 'C = [x for x in "ab"]', 'D = some_call(1)'].join('\n'));
    expect(reasonOf(r.names.get('K'))).toBe('socket.TCP_KEEPIDLE depends on the platform Python runs on');
    expect(reasonOf(r.names.get('B'))).toMatch(/pathlib\.Path is not modelled/);
    expect(reasonOf(r.names.get('C'))).toMatch(/comprehension/);
    expect(reasonOf(r.names.get('D'))).toMatch(/some_call\(\.\.\.\) is not evaluated: some_call is not defined/);
  });

  test('an unknown inside a dict leaves the other keys known', () => {
    const r = evaluate(['import socket, os', 'D = {"max": 100, "opts": {socket.TCP_KEEPIDLE: 1}, "h": os.getenv("X", "h")}'].join('\n'));
    const d = r.names.get('D');
    expect(plain(pyGet(d, 'max'))).toBe(100);
    expect(plain(pyGet(d, 'h'))).toBe('h');
    const opts = pyGet(d, 'opts');
    expect(opts?.kind).toBe('known');
    expect(reasonOf(pyGet(opts, 'anything'))).toMatch(/TCP_KEEPIDLE/);
  });
});

describe('statements', () => {
  test('subscript assignment, update() and augmented assignment mutate shared containers', () => {
    const r = evaluate([
      'POOL = {"max_connections": 50}',
      'CACHES = {"default": {"OPTIONS": {"POOL": POOL}}}',
      'POOL["max_connections"] = 100',
      'DATABASES = {"default": {"HOST": "db"}}',
      'DATABASES["default"]["PORT"] = 6432',
      'DATABASES["default"].update({"HOST": "pgbouncer", "CONN_MAX_AGE": 0})',
      'APPS = ["a"]',
      'APPS += ["b"]',
      'N = 1',
      'N += 2',
    ].join('\n'));
    expect(plain(pyGet(r.names.get('CACHES'), 'default', 'OPTIONS', 'POOL', 'max_connections'))).toBe(100);
    expect(plain(r.names.get('DATABASES'))).toEqual({ default: { HOST: 'pgbouncer', PORT: 6432, CONN_MAX_AGE: 0 } });
    expect(at(r.file, pyGet(r.names.get('DATABASES'), 'default', 'PORT')!.span)).toBe('5:32-5:36');
    expect(plain(r.names.get('APPS'))).toEqual(['a', 'b']);
    expect(plain(r.names.get('N'))).toBe(3);
  });

  test('if/elif/else takes the known branch', () => {
    const r = evaluate(['import os', 'DEBUG = os.getenv("DEBUG") == "1"', 'if DEBUG:', '    X = 1', 'elif 1 > 2:', '    X = 2', 'else:', '    X = 3'].join('\n'), { DEBUG: '1' });
    expect(plain(r.names.get('X'))).toBe(1);
  });

  test('an unknown condition makes every name assigned in any branch unknown, and says why', () => {
    const r = evaluate(['X = 0', 'D = {"a": 1, "b": 2}', 'if undefined_flag:', '    X = 1', '    D["a"] = 5', 'else:', '    Y = 2'].join('\n'));
    expect(reasonOf(r.names.get('X'))).toMatch(/condition that cannot be known \(line 3: undefined_flag/);
    expect(reasonOf(r.names.get('Y'))).toMatch(/condition/);
    expect(reasonOf(pyGet(r.names.get('D'), 'a'))).toMatch(/condition/);
    expect(plain(pyGet(r.names.get('D'), 'b'))).toBe(2);
  });

  test('try runs its body; names assigned in except become unknown; a definite raise runs the handler', () => {
    const r = evaluate(['try:', '    A = 1', 'except Exception:', '    A = 2', '    B = 3', 'try:', '    from .local import *', 'except ImportError:', '    C = "no local"'].join('\n'));
    expect(reasonOf(r.names.get('A'))).toMatch(/except block/);
    expect(reasonOf(r.names.get('B'))).toMatch(/except block/);
    expect(plain(r.names.get('C'))).toBe('no local');
  });

  test('loops, functions and classes bind unknowns', () => {
    const r = evaluate(['for i in range(3):', '    L = i', 'def f():', '    return 1', 'class C:', '    pass'].join('\n'));
    expect(reasonOf(r.names.get('L'))).toMatch(/loop \(line 1\)/);
    expect(reasonOf(r.names.get('i'))).toMatch(/loop/);
    expect(reasonOf(r.names.get('f'))).toBe('f is a function defined at line 3');
    expect(reasonOf(r.names.get('C'))).toBe('C is a class defined at line 5');
  });

  test('tuple unpacking and chained assignment', () => {
    const r = evaluate(['A, (B, C) = 1, (2, 3)', 'X = Y = [1]', 'Y.append(2)'].join('\n'));
    expect([plain(r.names.get('A')), plain(r.names.get('B')), plain(r.names.get('C'))]).toEqual([1, 2, 3]);
    expect(plain(r.names.get('X'))).toEqual([1, 2]);
  });

  test('a container passed to a function we do not model may have been changed', () => {
    const r = evaluate(['import logging.config', 'LOGGING = {"version": 1}', 'logging.config.dictConfig(LOGGING)'].join('\n'));
    expect(reasonOf(r.names.get('LOGGING'))).toMatch(/passed to logging\.config\.dictConfig/);
  });
});

describe('helper libraries', () => {
  test('django-environ: schema casts, defaults returned as written, unset without default raises', () => {
    const src = ['import environ', 'env = environ.Env(DEBUG=(bool, False))', 'DEBUG = env("DEBUG")', 'W = env.int("W", default=4)', 'H = env.list("H", default=[])', 'S = env("SECRET")'].join('\n');
    const unset = evaluate(src);
    expect(plain(unset.names.get('DEBUG'))).toBe(false);
    expect(plain(unset.names.get('W'))).toBe(4);
    expect(reasonOf(unset.names.get('S'))).toMatch(/ImproperlyConfigured/);
    const set = evaluate(src, { DEBUG: 'yes', W: '8', H: 'a,,b', SECRET: 's' });
    expect(plain(set.names.get('DEBUG'))).toBe(true);
    expect(plain(set.names.get('W'))).toBe(8);
    expect(plain(set.names.get('H'))).toEqual(['a', 'b']);
    expect(plain(set.names.get('S'))).toBe('s');
    // env.db() reads DATABASE_URL, and raises like env("X") when it is unset and no default is given.
    expect(reasonOf(evaluate('import environ\nenv = environ.Env()\nD = env.db()').names.get('D'))).toMatch(/raises ImproperlyConfigured \(Set the DATABASE_URL environment variable\)/);
  });

  test('python-decouple: casts apply to defaults too; a settings.ini or .env beside it makes unset values unknown', () => {
    const src = ['from decouple import config, Csv', 'DEBUG = config("DEBUG", default=False, cast=bool)', 'PORT = config("PORT", default="5432", cast=int)', 'HOSTS = config("HOSTS", default="a, b", cast=Csv())'].join('\n');
    const r = evaluate(src, { DEBUG: 'on' });
    expect(plain(r.names.get('DEBUG'))).toBe(true);
    expect(plain(r.names.get('PORT'))).toBe(5432);
    expect(plain(r.names.get('HOSTS'))).toEqual(['a', 'b']);
    const withIni = evaluate(src, {}, { 'settings.ini': '[settings]\nPORT=1\n' });
    expect(reasonOf(withIni.names.get('PORT'))).toMatch(/settings\.ini, which python-decouple reads/);
  });
});

describe('syntax errors', () => {
  test('become problems at their position, and what was recovered is still evaluated', () => {
    const src = ['A = 1', 'B = (2 +', 'C = 3'].join('\n') + '\n';
    const r = evaluate(src);
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems[0]!.span.file).toBe('settings.py');
    expect(r.problems[0]!.message).toMatch(/invalid Python syntax/);
    expect(plain(r.names.get('A'))).toBe(1);
  });

  test('a statement-level error does not stop the following statements', () => {
    const r = evaluate(['A = 1', 'B = = 2', 'C = 3'].join('\n'));
    expect(r.problems.length).toBeGreaterThan(0);
    expect(at(r.file, r.problems[0]!.span).startsWith('2:')).toBe(true);
    expect(plain(r.names.get('A'))).toBe(1);
    expect(plain(r.names.get('C'))).toBe(3);
  });

  test('comments are collected', () => {
    const r = evaluate('A = 1  # arena-lint: disable=x\n');
    expect(r.comments.map((c) => c.text)).toEqual([' arena-lint: disable=x']);
    expect(at(r.file, r.comments[0]!.span)).toBe('1:8-1:31');
  });
});

describe('pyGet and pyTruthy', () => {
  const span = { file: 'f', start: 0, end: 1 };
  const dict = known({ type: 'dict' as const, entries: [{ key: known('a', span), value: known(1, span) }, { key: unknown('computed key', span), value: known(2, span) }] }, span);
  const list = known({ type: 'tuple' as const, items: [known('x', span), known('y', span)] }, span);

  test('a key that an unknown key may override is unknown; indexes count from the end', () => {
    expect(reasonOf(pyGet(dict, 'a'))).toMatch(/computed key/);
    expect(plain(pyGet(list, -1))).toBe('y');
    expect(pyGet(list, 5)).toBeUndefined();
    expect(pyGet(known('str', span), 'a')).toBeUndefined();
    expect(reasonOf(pyGet(unknown('nope', span), 'a'))).toBe('nope');
  });

  test('truthiness', () => {
    expect(pyTruthy(known('', span))).toBe(false);
    expect(pyTruthy(known(Number.NaN, span))).toBe(true);
    expect(pyTruthy(list)).toBe(true);
    expect(pyTruthy(known({ type: 'dict', entries: [] }, span))).toBe(false);
    expect(pyTruthy(unknown('x', span))).toBeUndefined();
    expect(pyPlain(list)).toEqual(['x', 'y']);
  });
});

test('envOf helper marks values as set in .env', () => {
  expect(envOf({ A: '1' }).get('A')?.kind).toBe('known');
  expect(envOf({}).get('A')).toBeUndefined();
});
