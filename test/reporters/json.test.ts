import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatJson, JSON_REPORT_VERSION, toJsonReport, type JsonReport } from '../../src/reporters/json.js';
import { options, ResultBuilder, sampleResult } from './build-result.js';

const CONTRACT = readFileSync(new URL('../../src/reporters/json-contract.md', import.meta.url), 'utf8');

/** Every key path of a value, arrays collapsed, e.g. `diagnostics[].related[].file`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}${prefix ? '.' : ''}${k}`, ...keyPaths(v, `${prefix}${prefix ? '.' : ''}${k}`)]);
}

describe('formatJson', () => {
  it('writes the contract: version, roots, stacks, diagnostics with 1-based exclusive-end ranges, summary', () => {
    const report = JSON.parse(formatJson(sampleResult(), options())) as JsonReport;
    expect(report).toEqual({
      version: 2,
      roots: ['deploy'],
      stacks: [{ name: 'docker-compose.yml', files: ['docker-compose.yml', 'nginx/nginx.conf', 'pgbouncer/pgbouncer.ini'] }],
      diagnostics: [
        {
          ruleId: 'gunicorn-threads',
          severity: 'warning',
          message: 'gunicorn runs 4 threads per worker',
          file: 'docker-compose.yml',
          line: 4,
          column: 37,
          endLine: 4,
          endColumn: 48,
          stack: 'docker-compose.yml',
          related: [],
        },
        {
          ruleId: 'pgbouncer-client-capacity',
          severity: 'error',
          message: '15 replicas x 8 workers x 4 threads = 480 client connections > max_client_conn 300 (pgbouncer/pgbouncer.ini:3)',
          file: 'docker-compose.yml',
          line: 6,
          column: 17,
          endLine: 6,
          endColumn: 19,
          stack: 'docker-compose.yml',
          related: [{ file: 'pgbouncer/pgbouncer.ini', line: 3, column: 19, message: 'max_client_conn is set here' }],
          hint: 'Raise max_client_conn to at least 480.',
        },
        {
          ruleId: 'nginx-upstream-keepalive',
          severity: 'info',
          message: 'upstream "web" has no keepalive',
          file: 'nginx/nginx.conf',
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 13,
          stack: 'docker-compose.yml',
          related: [],
        },
      ],
      summary: { errors: 1, warnings: 1, infos: 1, files: 3, stacks: 1 },
    });
  });

  it('is indented JSON ending in a newline, identical to toJsonReport', () => {
    const out = formatJson(sampleResult(), options({ color: true, cwdRelativeRoot: 'x' }));
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).toBe(`${JSON.stringify(toJsonReport(sampleResult()), null, 2)}\n`);
    expect(out.split('\n')[1]).toBe(`  "version": ${JSON_REPORT_VERSION},`);
  });

  it('keeps `stack` as null for directory-wide findings, normalises the roots and counts shared files once', () => {
    const b = new ResultBuilder()
      .file('a.yml', 'a: 1\n')
      .stack('a.yml', ['a.yml', 'shared.conf'])
      .stack('b.yml', ['b.yml', 'shared.conf']);
    const r = b.finding({ ruleId: 'parse-error', severity: 'error', message: 'bad', at: b.span('a.yml', '1') }).build('infra\\prod');
    const report = toJsonReport(r);
    expect(report.roots).toEqual(['infra/prod']);
    expect(report.diagnostics[0]!.stack).toBeNull();
    expect('hint' in report.diagnostics[0]!).toBe(false);
    expect(report.summary).toEqual({ errors: 1, warnings: 0, infos: 0, files: 3, stacks: 2 });
  });

  it('emits exactly the fields json-contract.md documents, section by section', () => {
    // The heading of the contract's table for each object, keyed by where that object sits.
    const sectionOf: Record<string, string> = {
      '': 'Top level',
      'stacks[]': 'stack',
      'diagnostics[]': 'diagnostic',
      'diagnostics[].related[]': 'related',
      summary: 'summary',
    };
    const emitted = new Set(
      keyPaths(toJsonReport(sampleResult())).map((path) => {
        const dot = path.lastIndexOf('.');
        const parent = dot < 0 ? '' : path.slice(0, dot);
        return `${sectionOf[parent] ?? `undocumented object ${parent}`}.${path.slice(dot + 1)}`;
      }),
    );
    const documented = new Set<string>();
    for (const section of CONTRACT.split(/^## /m).slice(1)) {
      const heading = section.slice(0, section.indexOf('\n'));
      for (const m of section.matchAll(/^\| `([a-zA-Z]+)` \|/gm)) documented.add(`${heading}.${m[1]}`);
    }
    expect([...emitted].sort()).toEqual([...documented].sort());
  });
});
