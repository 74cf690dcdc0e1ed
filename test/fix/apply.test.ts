import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Fix } from '../../src/core/fix.js';
import { createSourceFile } from '../../src/core/source.js';
import { applyEdits, FixWriteError, NODE_FS, planFixes, writeChanges, type FileChange, type FixFs } from '../../src/fix/apply.js';
import { unifiedDiff } from '../../src/fix/diff.js';
import { moveInlineComment } from '../../src/fix/ini.js';
import { addDictEntry, removeDictEntry } from '../../src/fix/python.js';
import { addNamesAfter, parseForEdit, dependsOnNode, removeName } from '../../src/fix/yaml.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'arena-apply-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const span = (file: string, start: number, end = start) => ({ file, start, end });
const fix = (title: string, ...edits: Array<[string, number, number, string]>): Fix => ({ title, safe: true, edits: edits.map(([f, s, e, text]) => ({ span: span(f, s, e), text })) });

describe('planFixes', () => {
  const texts: Record<string, string> = { a: 'abcdef', b: 'xyz' };
  const textOf = (p: string) => texts[p];

  it('groups the edits by file and applies them from the original offsets', () => {
    const plan = planFixes([fix('one', ['a', 1, 2, 'B'], ['b', 3, 3, '!']), fix('two', ['a', 4, 6, ''])], textOf);
    expect(plan.files).toEqual([{ path: 'a', original: 'abcdef', updated: 'aBcd' }, { path: 'b', original: 'xyz', updated: 'xyz!' }]);
    expect(plan.applied.map((f) => f.title)).toEqual(['one', 'two']);
  });

  it('skips a fix that overlaps one taken before, and one whose own edits overlap', () => {
    const plan = planFixes([fix('first', ['a', 1, 3, 'X']), fix('clash', ['a', 2, 4, 'Y']), fix('same point', ['a', 1, 1, 'Z']), fix('broken', ['b', 0, 2, '1'], ['b', 1, 3, '2'])], textOf);
    expect(plan.applied.map((f) => f.title)).toEqual(['first']);
    expect(plan.skipped.map((s) => [s.fix.title, s.reason])).toEqual([
      ['clash', 'overlaps an edit of another fix'],
      ['same point', 'overlaps an edit of another fix'],
      ['broken', 'its own edits overlap'],
    ]);
  });

  it('takes the same fix reported twice once, and rejects edits past the end of a file', () => {
    const plan = planFixes([fix('x', ['b', 0, 1, 'X']), fix('x again', ['b', 0, 1, 'X']), fix('past', ['a', 5, 9, ''])], textOf);
    expect(plan.files).toEqual([{ path: 'b', original: 'xyz', updated: 'Xyz' }]);
    expect(plan.skipped.map((s) => s.reason)).toEqual(['an edit reaches outside a']);
  });

  it('keeps the order of insertions at one point inside one fix', () => {
    expect(applyEdits('ab', [{ span: span('a', 1), text: '1' }, { span: span('a', 1), text: '2' }])).toBe('a12b');
  });
});

function scratch(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpRoot, 'w-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir, { recursive: true }).map(String).sort().flatMap((p) => {
  try {
    return [[p, readFileSync(join(dir, p), 'latin1')]];
  } catch {
    return [];
  }
}));

describe('writeChanges: every file or none', () => {
  const changes: FileChange[] = [
    { path: 'a.yml', original: 'a: 1\n', updated: 'a: 2\n' },
    { path: 'n/b.conf', original: 'b;\r\n', updated: 'b;\r\nc;\r\n' },
    { path: 'c.ini', original: 'x = 1\n', updated: 'x = 2\n' },
  ];

  it('writes each file through a temporary sibling', () => {
    const dir = scratch({ 'a.yml': 'a: 1\n', 'n/b.conf': 'b;\r\n', 'c.ini': 'x = 1\n' });
    const calls: string[] = [];
    const spy: FixFs = { ...NODE_FS, rename: (from, to) => (calls.push(`${from.slice(dir.length + 1)} -> ${to.slice(dir.length + 1)}`), NODE_FS.rename(from, to)) };
    writeChanges(dir, changes, spy);
    expect(snapshot(dir)).toEqual({ 'a.yml': 'a: 2\n', 'c.ini': 'x = 2\n', 'n/b.conf': 'b;\r\nc;\r\n' });
    expect(calls).toEqual([`.a.yml.arena-lint-${process.pid}-0.tmp -> a.yml`, `n/.b.conf.arena-lint-${process.pid}-1.tmp -> n/b.conf`, `.c.ini.arena-lint-${process.pid}-2.tmp -> c.ini`]);
  });

  it('an interrupted write (the second rename fails) leaves every file as it was and no temporary file behind', () => {
    const dir = scratch({ 'a.yml': 'a: 1\n', 'n/b.conf': 'b;\r\n', 'c.ini': 'x = 1\n' });
    const before = snapshot(dir);
    let renames = 0;
    const failing: FixFs = { ...NODE_FS, rename: (from, to) => {
      renames++;
      if (renames === 2) throw new Error('EIO: simulated');
      NODE_FS.rename(from, to);
    } };
    expect(() => writeChanges(dir, changes, failing)).toThrow(new FixWriteError('could not replace n/b.conf: EIO: simulated; no file was changed'));
    expect(snapshot(dir)).toEqual(before);
  });

  it('a failed temporary write changes nothing', () => {
    const dir = scratch({ 'a.yml': 'a: 1\n', 'n/b.conf': 'b;\r\n', 'c.ini': 'x = 1\n' });
    const before = snapshot(dir);
    let writes = 0;
    const failing: FixFs = { ...NODE_FS, writeNew: (abs, data, mode) => {
      if (++writes === 3) throw new Error('ENOSPC: simulated');
      NODE_FS.writeNew(abs, data, mode);
    } };
    expect(() => writeChanges(dir, changes, failing)).toThrow(/could not write c\.ini: ENOSPC: simulated; no file was changed/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a file that changed since it was read, before writing any', () => {
    const dir = scratch({ 'a.yml': 'a: 1\n', 'n/b.conf': 'edited meanwhile\n', 'c.ini': 'x = 1\n' });
    const before = snapshot(dir);
    expect(() => writeChanges(dir, changes)).toThrow(new FixWriteError('n/b.conf changed since it was read; run again'));
    expect(snapshot(dir)).toEqual(before);
  });

  it('never writes through a symlink or outside the root', () => {
    const dir = scratch({ 'real.yml': 'a: 1\n' });
    symlinkSync(join(dir, 'real.yml'), join(dir, 'link.yml'));
    expect(() => writeChanges(dir, [{ path: 'link.yml', original: 'a: 1\n', updated: 'a: 2\n' }])).toThrow(/not a regular file/);
    expect(() => writeChanges(dir, [{ path: '../x.yml', original: '', updated: 'x' }])).toThrow(/outside the checked folder/);
    expect(readFileSync(join(dir, 'real.yml'), 'utf8')).toBe('a: 1\n');
  });

  it('keeps a byte-order mark', () => {
    const dir = scratch({ 's.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('A = 1\n')]) });
    writeChanges(dir, [{ path: 's.py', original: 'A = 1\n', updated: 'A = 2\n' }]);
    expect([...readFileSync(join(dir, 's.py'))]).toEqual([0xef, 0xbb, 0xbf, ...Buffer.from('A = 2\n')]);
  });
});

describe('unifiedDiff', () => {
  const original = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join('');
  const updated = original.replace('line 3\n', 'line three\n').replace('line 18\n', 'line 18\nline 18b\n');

  it('prints hunks with three lines of context, as diff -u does', () => {
    expect(unifiedDiff({ path: 'f.txt', original, updated })).toBe(
      '--- a/f.txt\n+++ b/f.txt\n@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+line three\n line 4\n line 5\n line 6\n@@ -16,5 +16,6 @@\n line 16\n line 17\n line 18\n+line 18b\n line 19\n line 20\n',
    );
  });

  it('applies with the real patch(1) and keeps CRLF lines', () => {
    const dir = scratch({ 'f.txt': original, 'g.ini': 'a = 1\r\nb = 2\r\n' });
    const g = { path: 'g.ini', original: 'a = 1\r\nb = 2\r\n', updated: 'a = 1\r\n# c\r\nb = 2\r\n' };
    const diff = unifiedDiff({ path: 'f.txt', original, updated }) + unifiedDiff(g);
    const r = spawnSync('patch', ['-p1', '--binary', '-s'], { cwd: dir, input: diff, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'f.txt'), 'utf8')).toBe(updated);
    expect(readFileSync(join(dir, 'g.ini'), 'utf8')).toBe(g.updated);
  });

  it('marks a last line without a newline', () => {
    expect(unifiedDiff({ path: 'x', original: 'a', updated: 'b' })).toBe('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n');
  });
});

describe('format helpers keep what they do not edit', () => {
  const edit = (text: string, edits: ReturnType<typeof moveInlineComment>) => applyEdits(text, edits ?? []);

  it('ini: an inline comment moves to its own line, indented like the setting, in CRLF', () => {
    const text = '[pgbouncer]\r\n  max_client_conn = 2000          # Was: 1000\r\n';
    const file = createSourceFile('p.ini', text);
    const start = text.indexOf('2000');
    expect(edit(text, moveInlineComment(file, span('p.ini', start, text.indexOf('\r\n', start))))).toBe('[pgbouncer]\r\n  # Was: 1000\r\n  max_client_conn = 2000\r\n');
  });

  it('python: an entry is added to a dict literal with the comma the entry before lacks, quoted like the key', () => {
    const text = "DATABASES = {\n    'default': {\n        'NAME': 'app',\n        'PORT': 5432  # pgbouncer\n    }\n}\n";
    const file = createSourceFile('s.py', text);
    const key = text.indexOf("'default'");
    expect(edit(text, addDictEntry(file, span('s.py', key, key + 9), 'DISABLE_SERVER_SIDE_CURSORS', 'True'))).toBe(
      "DATABASES = {\n    'default': {\n        'NAME': 'app',\n        'PORT': 5432,  # pgbouncer\n        'DISABLE_SERVER_SIDE_CURSORS': True,\n    }\n}\n",
    );
    const inline = 'D = {"default": {"NAME": "app"}}\n';
    const k = inline.indexOf('"default"');
    expect(edit(inline, addDictEntry(createSourceFile('t.py', inline), span('t.py', k, k + 9), 'X', 'True'))).toBe('D = {"default": {"NAME": "app", "X": True}}\n');
  });

  it('python: an OPTIONS entry is removed with its line, or with its comma inside one line', () => {
    const text = '        "OPTIONS": {\n            "connect_timeout": 10,\n            "options": "-c statement_timeout=30000",  # 30 s\n        },\n';
    const v = text.indexOf('"-c');
    expect(applyEdits(text, [removeDictEntry(createSourceFile('s.py', text), span('s.py', v, v + 28))!])).toBe('        "OPTIONS": {\n            "connect_timeout": 10,\n        },\n');
    const one = '"OPTIONS": {"options": "-c a=1", "x": 1},\n';
    const w = one.indexOf('"-c');
    expect(applyEdits(one, [removeDictEntry(createSourceFile('o.py', one), span("o.py", w, w + 8))!])).toBe('"OPTIONS": {"x": 1},\n');
  });

  it('yaml: depends_on entries are copied as written (block list, flow list, long form), and removed again', () => {
    const block = 'services:\n  nginx:\n    depends_on:\n      - "web-1"   # first\n      - "web-2"\n';
    const long = 'services:\n  nginx:\n    depends_on:\n      web-1:\n        condition: service_healthy\n    image: nginx\n';
    const flow = 'services:\n  nginx:\n    depends_on: [web-1, web-2]\n';
    const run = (text: string, after: string) => {
      const file = createSourceFile('c.yml', text);
      return applyEdits(text, [addNamesAfter(file, dependsOnNode(parseForEdit(file)!, 'nginx')!, after, ['web-3'])!]);
    };
    expect(run(block, 'web-2')).toBe(`${block}      - "web-3"\n`);
    expect(run(long, 'web-1')).toBe('services:\n  nginx:\n    depends_on:\n      web-1:\n        condition: service_healthy\n      web-3:\n        condition: service_healthy\n    image: nginx\n');
    expect(run(flow, 'web-2')).toBe('services:\n  nginx:\n    depends_on: [web-1, web-2, web-3]\n');
    for (const text of [block, long, flow]) {
      const grown = run(text, text === long ? 'web-1' : 'web-2');
      const file = createSourceFile('c.yml', grown);
      expect(applyEdits(grown, [removeName(file, dependsOnNode(parseForEdit(file)!, 'nginx')!, 'web-3')!])).toBe(text);
    }
  });
});
