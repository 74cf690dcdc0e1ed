import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSourceFile, offsetAt, SourceSet } from '../../src/core/source.js';
import { checkedFileCount, locateSpan, repoPath, summaryLine, toLocated, uriPath } from '../../src/reporters/locate.js';
import { ResultBuilder, sampleResult } from './build-result.js';
import { assertProperty } from '../helpers/property.js';

function resultWith(path: string, text: string) {
  return new ResultBuilder().file(path, text).build();
}

describe('locateSpan', () => {
  it('gives 1-based lines and columns with an exclusive end column', () => {
    const r = resultWith('a.ini', '[x]\nkey = value\n');
    const start = 4 + 'key = '.length;
    expect(locateSpan(r, { file: 'a.ini', start, end: start + 5 })).toEqual({ file: 'a.ini', line: 2, column: 7, endLine: 2, endColumn: 12 });
  });

  it('ends a span that swallows the line break on its last character, not on the next line', () => {
    const r = resultWith('a.ini', '[x]\nkey = value\nnext\n');
    expect(locateSpan(r, { file: 'a.ini', start: 4, end: 16 })).toMatchObject({ line: 2, column: 1, endLine: 2, endColumn: 12 });
  });

  it('does the same for CRLF files, without counting the carriage return', () => {
    const r = resultWith('a.ini', '[x]\r\nkey = value\r\nnext\r\n');
    expect(locateSpan(r, { file: 'a.ini', start: 5, end: 18 })).toMatchObject({ line: 2, column: 1, endLine: 2, endColumn: 12 });
  });

  it('keeps an empty span as an insertion point', () => {
    const r = resultWith('a.ini', '[x]\n');
    expect(locateSpan(r, { file: 'a.ini', start: 3, end: 3 })).toMatchObject({ line: 1, column: 4, endLine: 1, endColumn: 4 });
  });

  it('counts columns in UTF-16 code units, as GitHub and editors do', () => {
    const r = resultWith('a.yml', 'x: "🙂" # y\n');
    const start = r.sources.get('a.yml')!.text.indexOf('#');
    expect(locateSpan(r, { file: 'a.yml', start, end: start + 1 })).toMatchObject({ column: 9, endColumn: 10 });
  });

  it('clamps spans outside the file and falls back to 1:1 for a file that was never read', () => {
    const r = resultWith('a.ini', 'ab\n');
    expect(locateSpan(r, { file: 'a.ini', start: 1, end: 99 })).toMatchObject({ line: 1, column: 2, endLine: 1, endColumn: 3 });
    expect(locateSpan(r, { file: 'gone.ini', start: 10, end: 20 })).toEqual({ file: 'gone.ini', line: 1, column: 1, endLine: 1, endColumn: 1 });
  });

  it('property: never ends before it starts and maps the start back to its offset', () => {
    assertProperty('reporters/locate-span', 
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\t', 'é', '🙂') }), fc.nat(), fc.nat(), (text, a, b) => {
        const sources = new SourceSet();
        const file = sources.add(createSourceFile('f', text));
        const start = Math.min(a, b) % (text.length + 1);
        const end = Math.min(text.length, start + (Math.max(a, b) % 7));
        const at = locateSpan({ root: '.', stacks: [], findings: [], sources }, { file: 'f', start, end });
        expect(offsetAt(file, at.line, at.column)).toBe(start);
        expect(at.endLine > at.line || (at.endLine === at.line && at.endColumn >= at.column)).toBe(true);
      }),
    );
  });
});

describe('toLocated', () => {
  it('locates the finding and each related location', () => {
    const r = sampleResult();
    const error = r.findings.find((f) => f.severity === 'error')!;
    const at = toLocated(r, error);
    expect(at).toMatchObject({ file: 'docker-compose.yml', line: 6, column: 17, endLine: 6, endColumn: 19, finding: error });
    expect(at.related).toEqual([
      { file: 'pgbouncer/pgbouncer.ini', line: 3, column: 19, endLine: 3, endColumn: 22, message: 'max_client_conn is set here' },
    ]);
  });
});

describe('summaryLine', () => {
  it('counts problems by severity with English plurals', () => {
    expect(summaryLine(sampleResult())).toBe('✖ 3 problems (1 error, 1 warning, 1 info)');
  });

  it('counts a file shared by two stacks once in the clean message', () => {
    const r = new ResultBuilder()
      .stack('docker-compose.yml', ['docker-compose.yml', 'nginx.conf'])
      .stack('prod/docker-compose.yml', ['prod/docker-compose.yml', 'nginx.conf'])
      .build();
    expect(checkedFileCount(r)).toBe(3);
    expect(summaryLine(r)).toBe('✔ 2 stacks, 3 files checked, no problems');
    expect(summaryLine(new ResultBuilder().stack('c.yml', ['c.yml']).build())).toBe('✔ 1 stack, 1 file checked, no problems');
  });
});

describe('repoPath', () => {
  it('prefixes the checked folder as seen from the working directory', () => {
    expect(repoPath({}, 'a/b.yml')).toBe('a/b.yml');
    expect(repoPath({ cwdRelativeRoot: '.' }, 'b.yml')).toBe('b.yml');
    expect(repoPath({ cwdRelativeRoot: '' }, 'b.yml')).toBe('b.yml');
    expect(repoPath({ cwdRelativeRoot: './deploy/' }, 'b.yml')).toBe('deploy/b.yml');
    expect(repoPath({ cwdRelativeRoot: 'infra\\prod' }, 'b.yml')).toBe('infra/prod/b.yml');
  });
});

describe('uriPath', () => {
  it('percent-encodes each segment and keeps the separators', () => {
    expect(uriPath('my dir/a (1)/ü#.yml')).toBe('my%20dir/a%20%281%29/%C3%BC%23.yml');
  });
});
