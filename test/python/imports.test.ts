import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { evaluateSettings, resolveModule, settingsModuleFromEntrypoint } from '../../src/python/evaluate.js';
import { pyGet } from '../../src/python/value.js';
import { at, envOf, memoryRepo, plain } from './helpers.js';
import { assertProperty } from '../helpers/property.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function fixtureRepo(): ReturnType<typeof memoryRepo> {
  const reads: string[] = [];
  const full = (p: string) => path.join(REPO, p);
  return {
    reads,
    readFile(p) {
      if (!existsSync(full(p))) return undefined;
      reads.push(p);
      return createSourceFile(p, readFileSync(full(p), 'utf8'));
    },
    exists: (p) => existsSync(full(p)),
  };
}

describe('split settings package', () => {
  const root = 'fixtures/settings/split';
  const entry = `${root}/myproject/settings/production.py`;

  test('from .base import * copies public names; production overrides DATABASES keys in place', () => {
    const repo = fixtureRepo();
    const r = evaluateSettings({ entry, searchRoots: [root], readFile: repo.readFile, exists: repo.exists, env: envOf({ DB_PORT: '5433' }) });
    expect(r.files).toEqual([entry, `${root}/myproject/settings/base.py`]);
    const db = r.names.get('DATABASES');
    expect(plain(pyGet(db, 'default', 'HOST'))).toBe('pgbouncer');
    expect(plain(pyGet(db, 'default', 'PORT'))).toBe(5433);
    expect(plain(pyGet(db, 'default', 'NAME'))).toBe('myproject');
    expect(plain(pyGet(db, 'default', 'DISABLE_SERVER_SIDE_CURSORS'))).toBe(true);
    // NAME is written in base.py: its span says so.
    expect(pyGet(db, 'default', 'NAME')!.span.file).toBe(`${root}/myproject/settings/base.py`);
    expect(pyGet(db, 'default', 'CONN_MAX_AGE')!.span.file).toBe(entry);
    expect(plain(r.names.get('SAME_OBJECT'))).toBe(true);
    expect(r.names.has('_PRIVATE_HELPER')).toBe(false);
    expect(plain(r.names.get('LOCAL_SETTINGS'))).toBe(false);
    expect(plain(r.names.get('CONN_SUMMARY'))).toBe('pgbouncer:5433 (max age 60s)');
  });

  test('absolute imports resolve under the search roots', () => {
    const repo = memoryRepo({
      'app/proj/__init__.py': '',
      'app/proj/settings/__init__.py': '',
      'app/proj/settings/base.py': 'PORT = 6432\n',
      'app/proj/settings/prod.py': 'from proj.settings.base import *\nfrom proj.settings.base import PORT as P\nimport proj.settings.base as B\nQ = B.PORT\n',
    });
    const r = evaluateSettings({ entry: 'app/proj/settings/prod.py', searchRoots: ['app'], readFile: repo.readFile, exists: repo.exists, env: envOf({}) });
    expect(plain(r.names.get('PORT'))).toBe(6432);
    expect(plain(r.names.get('P'))).toBe(6432);
    expect(plain(r.names.get('Q'))).toBe(6432);
    expect(resolveModule('proj.settings', ['app'], repo.exists)).toBe('app/proj/settings/__init__.py');
    expect(resolveModule('proj.missing', ['app'], repo.exists)).toBeUndefined();
    expect(resolveModule('../etc', ['app'], repo.exists)).toBeUndefined();
  });

  test('an import cycle ends with the partial module, as in Python, and never loops', () => {
    const repo = memoryRepo({ 'a.py': 'from b import *\nA = 1\n', 'b.py': 'from a import *\nB = 2\n' });
    const r = evaluateSettings({ entry: 'a.py', searchRoots: [''], readFile: repo.readFile, exists: repo.exists, env: envOf({}) });
    expect(plain(r.names.get('A'))).toBe(1);
    expect(plain(r.names.get('B'))).toBe(2);
    expect(r.files).toEqual(['a.py', 'b.py']);
  });

  test('an unreadable star import makes undefined names unknown rather than missing', () => {
    const r = evaluateSettings({ entry: 's.py', searchRoots: [''], ...memoryRepo({ 's.py': 'from somewhere_else import *\nX = MAYBE\n' }), env: envOf({}) });
    const x = r.names.get('X');
    expect(x?.kind === 'unknown' ? x.reason : 'known').toMatch(/from somewhere_else import \*/);
    expect(r.unresolvedImports.map((u) => u.module)).toEqual(['somewhere_else']);
  });
});

test('settingsModuleFromEntrypoint reads os.environ.setdefault in wsgi.py', () => {
  const wsgi = ['import os', 'from django.core.wsgi import get_wsgi_application', 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arena_backend.settings")', 'application = get_wsgi_application()'].join('\n');
  const repo = memoryRepo({ 'backend/arena_backend/__init__.py': '', 'backend/arena_backend/wsgi.py': wsgi });
  const v = settingsModuleFromEntrypoint('arena_backend.wsgi:application', ['backend'], repo.readFile, repo.exists);
  expect(v?.kind === 'known' && v.value).toBe('arena_backend.settings');
  expect(at(createSourceFile('backend/arena_backend/wsgi.py', wsgi), v!.span)).toBe('3:49-3:73');
  expect(settingsModuleFromEntrypoint('missing.wsgi', ['backend'], repo.readFile, repo.exists)).toBeUndefined();
});

test('a settings file with side effects is read but never run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'arena-side-effect-'));
  const marker = path.join(dir, 'marker');
  try {
    const repo = fixtureRepo();
    const entry = 'fixtures/settings/side-effects/settings.py';
    const r = evaluateSettings({ entry, searchRoots: ['fixtures/settings/side-effects'], readFile: repo.readFile, exists: repo.exists, env: envOf({ ARENA_SIDE_EFFECT_MARKER: marker, DB_HOST: 'db' }) });
    expect(plain(r.names.get('MARKER'))).toBe(marker);
    expect(plain(pyGet(r.names.get('DATABASES'), 'default', 'HOST'))).toBe('db');
    for (const suffix of ['', '.subprocess', '.system', '.open']) expect(existsSync(marker + suffix), `${marker}${suffix}`).toBe(false);
    expect(existsSync('/tmp/arena-lint-side-effect-marker')).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('pathological input never throws and degrades to unknown', () => {
  const run = (src: string) => evaluateSettings({ entry: 's.py', searchRoots: [''], ...memoryRepo({ 's.py': src }), env: envOf({}) });

  test('deep nesting', () => {
    const deep = `X = ${'['.repeat(3000)}1${']'.repeat(3000)}\nY = ${'('.repeat(3000)}1${')'.repeat(3000)}\nZ = ${'not '.repeat(3000)}1\nW = 1${' + 1'.repeat(5000)}\n`;
    const r = run(deep);
    for (const name of ['X', 'Y', 'Z', 'W']) expect(r.names.has(name), name).toBe(true);
    const x = r.names.get('X')!;
    expect(x.kind === 'unknown' ? x.reason : 'known').toMatch(/nested too deeply|known/);
  });

  test('huge strings and numbers', () => {
    const r = run('A = "x" * 10**9\nB = [0] * 10**9\nC = 10**400\nD = 2**53 + 1\nE = "%s" % ("y" * 999999 + "y" * 999999)\n');
    for (const name of ['A', 'B', 'C', 'D', 'E']) expect(r.names.get(name)?.kind, name).toBe('unknown');
  });

  test('property: random text: no throw, every span inside its file', () => {
    const pieces = ['X', ' = ', '"a"', "f'{", '}', '(', ')', '[', ']', '{', ':', ',', '\n', '    ', 'if ', 'else', 'try:', 'except', 'import ', 'from . import *', 'os.environ[', 'not ', ' and ', ' or ', '1', '2.5', '#c', '\\', '"""', '%', '.format(', '**', '*', 'lambda'];
    assertProperty('django/python-text', 
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (parts) => {
        const src = parts.join('');
        const r = run(src);
        for (const v of r.names.values()) {
          expect(v.span.end).toBeLessThanOrEqual(src.length);
          expect(v.span.start).toBeGreaterThanOrEqual(0);
        }
        for (const p of r.problems) expect(p.span.end).toBeLessThanOrEqual(src.length + 1);
      }),
      { numRuns: 300 },
    );
  });
});
