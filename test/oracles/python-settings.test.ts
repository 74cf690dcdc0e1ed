/**
 * Differential test: every settings file under fixtures/ is imported by a real Python, and every value
 * the static evaluator claims to know must equal Python's. Unknowns are skipped but counted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { createSourceFile, type SourceFile } from '../../src/core/source.js';
import { known, type Value } from '../../src/core/value.js';
import { evaluateSettings } from '../../src/python/evaluate.js';
import { envFromRecord, type PyValue } from '../../src/python/value.js';
import { runToExit } from '../helpers/oracle.js';

const PYTHON = '/usr/bin/python3';
const UNSHARE = '/usr/bin/unshare';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(REPO, 'fixtures');
const DUMP_SCRIPT = path.join(REPO, 'test/oracles/python-dump-settings.py');
/** First-line marker of fixtures whose import has side effects: never handed to Python. */
const NEVER_RUN = '# arena-oracle: never-run';
/** Packages whose behaviour the evaluator models; a stub in their place would make Python's answer meaningless. */
const MODELLED_PACKAGES = ['environ', 'decouple', 'dj_database_url'];
/**
 * Names the installed library gives where the release the evaluator models gives another: Debian 12's
 * django-environ 0.4 names PostgreSQL by its pre-Django-3.0 alias (Django 3.0 removed it), current
 * releases by `django.db.backends.postgresql`. Accepted only under an ENGINE key.
 */
const OLDER_RELEASE_NAMES: Record<string, string> = { 'django.db.backends.postgresql': 'django.db.backends.postgresql_psycopg2' };

const pythonAvailable = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'pass']).status === 0;
const unshareWorks = pythonAvailable && existsSync(UNSHARE) && spawnSync(UNSHARE, ['-n', PYTHON, '-c', 'pass']).status === 0;
if (!pythonAvailable) console.warn(`SKIPPED python differential test: ${PYTHON} not found (Debian package python3)`);
else if (!unshareWorks) console.warn('python differential test runs without a private network namespace (unshare -n not permitted here)');

function settingsFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) settingsFiles(full, out);
    else if (name.endsWith('.py') && path.relative(REPO, full).includes('settings')) {
      // An empty __init__.py only marks a package; it has no settings to compare.
      if (name === '__init__.py' && readFileSync(full, 'utf8').trim() === '') continue;
      out.push(full);
    }
  }
  return out;
}

/** Python's sys.path root for a file: the first parent directory that is not a package. */
function moduleOf(file: string): { root: string; module: string } {
  const parts = [path.basename(file, '.py')];
  let dir = path.dirname(file);
  while (existsSync(path.join(dir, '__init__.py')) && dir !== REPO) {
    parts.unshift(path.basename(dir));
    dir = path.dirname(dir);
  }
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return { root: dir, module: parts.join('.') };
}

function casesFor(file: string): Array<Record<string, string>> {
  const envFile = path.join(path.dirname(file), 'arena-env.json');
  if (!existsSync(envFile)) return [{}];
  const parsed = JSON.parse(readFileSync(envFile, 'utf8')) as { cases?: Array<Record<string, string>> };
  return [{}, ...(parsed.cases ?? []).filter((c) => Object.keys(c).length > 0)];
}

interface PythonResult {
  stubbed: string[];
  names?: Record<string, unknown>;
  error?: string;
}

function runPython(file: string, env: Record<string, string>): PythonResult {
  const { root, module } = moduleOf(file);
  const argv = [PYTHON, '-I', '-B', DUMP_SCRIPT, root, module];
  const [cmd, ...args] = unshareWorks ? [UNSHARE, '-n', ...argv] : argv;
  const run = runToExit(cmd!, args, { env, cwd: root });
  if (run.status !== 0) throw new Error(`python failed on ${file} (status ${run.status}, signal ${run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout) as PythonResult;
}

function evaluateStatically(file: string, env: Record<string, string>) {
  const rel = (p: string) => path.relative(REPO, p).split(path.sep).join('/');
  const abs = (p: string): string | undefined => {
    const full = path.resolve(REPO, p);
    return full.startsWith(REPO + path.sep) ? full : undefined;
  };
  const readFile = (p: string): SourceFile | undefined => {
    const full = abs(p);
    return full && existsSync(full) && statSync(full).isFile() ? createSourceFile(p, readFileSync(full, 'utf8')) : undefined;
  };
  const exists = (p: string) => {
    const full = abs(p);
    return full !== undefined && existsSync(full);
  };
  const vars: Record<string, Value<string>> = {};
  for (const [k, v] of Object.entries(env)) vars[k] = known(v, { file: 'arena-env.json', start: 0, end: 0 });
  return evaluateSettings({ entry: rel(file), searchRoots: [rel(moduleOf(file).root)], readFile, exists, env: envFromRecord(vars) });
}

interface Tally {
  known: number;
  unknown: number;
  mismatches: string[];
}

/** Python's dump format: {"__tuple__": [...]}, {"__set__": [...]}, {"__dict__": [[k, v], ...]}, {"__float__": repr}, {"__opaque__": type}. */
function compare(stat: PyValue, py: unknown, where: string, tally: Tally): void {
  if (stat.kind === 'unknown') {
    tally.unknown++;
    return;
  }
  const fail = (why: string): void => void tally.mismatches.push(`${where}: ${why}; static ${JSON.stringify(toPython(stat))}, python ${JSON.stringify(py)}`);
  const v = stat.value;
  const tagged = (tag: string): unknown => (py !== null && typeof py === 'object' && !Array.isArray(py) && tag in py ? (py as Record<string, unknown>)[tag] : undefined);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') {
    tally.known++;
    const olderName = typeof v === 'string' && where.endsWith('["ENGINE"]') && OLDER_RELEASE_NAMES[v] === py;
    if (py !== v && !olderName) fail('differs');
    return;
  }
  if (typeof v === 'number') {
    tally.known++;
    const f = tagged('__float__');
    const pyNumber = typeof py === 'number' ? py : typeof f === 'string' ? Number(f.replace(/^(-?)inf$/, '$1Infinity')) : undefined;
    if (pyNumber === undefined || !(pyNumber === v || (Number.isNaN(pyNumber) && Number.isNaN(v)))) fail('differs');
    return;
  }
  if (v.type === 'dict') {
    const entries = tagged('__dict__') as Array<[unknown, unknown]> | undefined;
    if (!entries) return fail('python has no dict here');
    tally.known++;
    const open = v.entries.some((e) => e.key.kind === 'unknown');
    if (!open && entries.length !== v.entries.length) fail(`python has ${entries.length} keys, static ${v.entries.length}`);
    v.entries.forEach((entry, i) => {
      if (entry.key.kind === 'unknown') return;
      const keyJson = JSON.stringify(toPython(entry.key));
      const index = entries.findIndex(([k]) => JSON.stringify(k) === keyJson);
      if (index < 0) return fail(`key ${keyJson} missing in python`);
      if (!open && index !== i) fail(`key ${keyJson} at position ${index} in python, ${i} statically`);
      const hidden = v.entries.slice(i + 1).some((e) => e.key.kind === 'unknown');
      if (!hidden) compare(entry.value, entries[index]![1], `${where}[${keyJson}]`, tally);
    });
    return;
  }
  const items = v.type === 'list' ? (Array.isArray(py) ? py : undefined) : (tagged(v.type === 'tuple' ? '__tuple__' : '__set__') as unknown[] | undefined);
  if (!items) return fail(`python has no ${v.type} here`);
  tally.known++;
  if (v.type === 'set') {
    const pyItems = new Set(items.map((i) => JSON.stringify(i)));
    for (const item of v.items) {
      if (item.kind === 'unknown') tally.unknown++;
      else if (!pyItems.has(JSON.stringify(toPython(item)))) fail(`set item ${JSON.stringify(toPython(item))} missing in python`);
    }
    if (v.items.every((i) => i.kind === 'known') && pyItems.size !== v.items.length) fail('set sizes differ');
    return;
  }
  if (items.length !== v.items.length) return fail(`python has ${items.length} items, static ${v.items.length}`);
  v.items.forEach((item, i) => compare(item, items[i], `${where}[${i}]`, tally));
}

/** A fully known static value in Python's dump format (for keys and set items). */
function toPython(v: PyValue): unknown {
  if (v.kind === 'unknown') return { unknown: v.reason };
  const d = v.value;
  if (d === null || typeof d === 'string' || typeof d === 'boolean') return d;
  if (typeof d === 'number') return Number.isInteger(d) ? d : { __float__: String(d) };
  if (d.type === 'dict') return { __dict__: d.entries.map((e) => [toPython(e.key), toPython(e.value)]) };
  if (d.type === 'list') return d.items.map(toPython);
  return { [d.type === 'tuple' ? '__tuple__' : '__set__']: d.items.map(toPython) };
}

function isUpperName(name: string): boolean {
  return name === name.toUpperCase() && name !== name.toLowerCase();
}

const files = settingsFiles(FIXTURES);

describe.skipIf(!pythonAvailable)('static settings evaluation agrees with python3', () => {
  test('finds settings fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of files) {
    const rel = path.relative(REPO, file);
    const text = readFileSync(file, 'utf8');
    if (text.startsWith(NEVER_RUN)) {
      test.skip(`${rel} (has side effects at import: never run under python)`, () => {});
      continue;
    }
    test(rel, () => {
      let knownTotal = 0;
      let cleanRuns = 0;
      let lackingPackages = 0;
      const report: string[] = [];
      for (const env of casesFor(file)) {
        const label = `${rel} with ${JSON.stringify(env)}`;
        const py = runPython(file, env);
        const stubbedModelled = py.stubbed.filter((m) => MODELLED_PACKAGES.includes(m));
        if (stubbedModelled.length > 0) {
          console.warn(`SKIPPED ${label}: python lacks ${stubbedModelled.join(', ')} (Debian: python3-django-environ, python3-decouple)`);
          lackingPackages++;
          continue;
        }
        if (py.error !== undefined) {
          console.warn(`${label}: python raised ${py.error}; nothing compared for this case`);
          continue;
        }
        cleanRuns++;
        const stat = evaluateStatically(file, env);
        const tally: Tally = { known: 0, unknown: 0, mismatches: [] };
        for (const [name, value] of Object.entries(py.names ?? {})) {
          const s = stat.names.get(name);
          if (s === undefined) tally.mismatches.push(`${name}: python defines it, the static evaluator does not`);
          else compare(s, value, name, tally);
        }
        for (const [name, value] of stat.names) {
          if (isUpperName(name) && value.kind === 'known' && !(name in (py.names ?? {}))) tally.mismatches.push(`${name}: known statically, absent in python`);
        }
        knownTotal += tally.known;
        report.push(`${label}: ${tally.known} known values equal python's, ${tally.unknown} unknown`);
        expect(tally.mismatches, label).toEqual([]);
      }
      console.info(report.join('\n'));
      if (cleanRuns === 0 && lackingPackages > 0) return;
      expect(cleanRuns, `${rel}: no case imported cleanly under python; add an arena-env.json beside it`).toBeGreaterThan(0);
      expect(knownTotal, `${rel}: the static evaluator knew nothing`).toBeGreaterThan(0);
    });
  }
});
