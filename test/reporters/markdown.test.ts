import { describe, expect, it } from 'vitest';
import { escapeCell, formatMarkdownSummary, githubBlobUrl } from '../../src/reporters/markdown.js';
import { options, ResultBuilder, sampleResult } from './build-result.js';

describe('formatMarkdownSummary', () => {
  it('lists findings in a table linked to the commit, then counts per stack', () => {
    const out = formatMarkdownSummary(sampleResult(), options({ cwdRelativeRoot: 'deploy', blobUrl: 'https://github.com/o/r/blob/abc' }));
    expect(out).toBe(
      [
        '## arena-lint',
        '',
        '✖ 3 problems (1 error, 1 warning, 1 info)',
        '',
        '| | Rule | Location | Message |',
        '|---|---|---|---|',
        '| ⚠️ | `gunicorn-threads` | [deploy/docker-compose.yml:4](https://github.com/o/r/blob/abc/deploy/docker-compose.yml#L4) | gunicorn runs 4 threads per worker |',
        '| ❌ | `pgbouncer-client-capacity` | [deploy/docker-compose.yml:6](https://github.com/o/r/blob/abc/deploy/docker-compose.yml#L6) | 15 replicas x 8 workers x 4 threads = 480 client connections &gt; max\\_client\\_conn 300 (pgbouncer/pgbouncer.ini:3) |',
        '| ℹ️ | `nginx-upstream-keepalive` | [deploy/nginx/nginx.conf:1](https://github.com/o/r/blob/abc/deploy/nginx/nginx.conf#L1) | upstream "web" has no keepalive |',
        '',
        '| Stack | Errors | Warnings | Infos |',
        '|---|---:|---:|---:|',
        '| docker-compose.yml | 1 | 1 | 1 |',
        '',
      ].join('\n'),
    );
  });

  it('shows plain locations without a blob URL, line ranges with one, and a row for findings outside stacks', () => {
    const b = new ResultBuilder().file('c.yml', 'a:\n  b: 1\n  c: 2\n').stack('c.yml', ['c.yml']).stack('clean.yml', ['clean.yml']);
    const r = b.finding({ ruleId: 'parse-error', severity: 'error', message: 'bad', at: { file: 'c.yml', start: 3, end: 14 } }).build();
    const plain = formatMarkdownSummary(r, options());
    expect(plain).toContain('| ❌ | `parse-error` | c.yml:2 | bad |');
    expect(plain).toContain('| c.yml | 0 | 0 | 0 |\n| clean.yml | 0 | 0 | 0 |\n| (whole directory) | 1 | 0 | 0 |\n');
    expect(formatMarkdownSummary(r, options({ blobUrl: 'https://x/blob/s/' }))).toContain('[c.yml:2](https://x/blob/s/c.yml#L2-L3)');
  });

  it('says the run is clean when it is', () => {
    const clean = new ResultBuilder().stack('docker-compose.yml', ['docker-compose.yml']).build();
    expect(formatMarkdownSummary(clean, options())).toBe(
      ['## arena-lint', '', '✔ 1 stack, 1 file checked, no problems', '', '| Stack | Errors | Warnings | Infos |', '|---|---:|---:|---:|', '| docker-compose.yml | 0 | 0 | 0 |', ''].join('\n'),
    );
    expect(formatMarkdownSummary(new ResultBuilder().build(), options())).toBe('## arena-lint\n\n✔ 0 stacks, 0 files checked, no problems\n');
  });
});

describe('escapeCell', () => {
  it('keeps table structure and shows markdown and HTML characters as written', () => {
    expect(escapeCell("a | b\nDATABASES['default'] <host> & `x` *y* _z_ \\")).toBe(
      "a \\| b<br>DATABASES\\['default'\\] &lt;host&gt; &amp; \\`x\\` \\*y\\* \\_z\\_ \\\\",
    );
  });
});

describe('githubBlobUrl', () => {
  it('builds the commit URL from the Actions variables, and nothing outside Actions', () => {
    expect(githubBlobUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'abc' })).toBe('https://github.com/o/r/blob/abc/');
    expect(githubBlobUrl({ GITHUB_REPOSITORY: 'o/r' })).toBeUndefined();
  });
});
