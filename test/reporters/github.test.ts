import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatGithub } from '../../src/reporters/github.js';
import { options, ResultBuilder, sampleResult } from './build-result.js';

describe('formatGithub', () => {
  it('writes one workflow command per finding, with repository-relative paths and related lines in the body', () => {
    expect(formatGithub(sampleResult(), options({ cwdRelativeRoot: 'deploy' }))).toBe(
      [
        '::warning file=deploy/docker-compose.yml,line=4,col=37,endLine=4,endColumn=48,title=arena-lint (gunicorn-threads)::gunicorn runs 4 threads per worker',
        '::error file=deploy/docker-compose.yml,line=6,col=17,endLine=6,endColumn=19,title=arena-lint (pgbouncer-client-capacity)::15 replicas x 8 workers x 4 threads = 480 client connections > max_client_conn 300 (pgbouncer/pgbouncer.ini:3)%0A↳ deploy/pgbouncer/pgbouncer.ini:3:19 max_client_conn is set here%0Ahint: Raise max_client_conn to at least 480.',
        '::notice file=deploy/nginx/nginx.conf,line=1,col=1,endLine=1,endColumn=13,title=arena-lint (nginx-upstream-keepalive)::upstream "web" has no keepalive',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for a clean run', () => {
    expect(formatGithub(new ResultBuilder().stack('c.yml', ['c.yml']).build(), options())).toBe('');
  });

  it('annotates a multi-line range by lines only', () => {
    const b = new ResultBuilder().file('c.yml', 'services:\n  web:\n    image: app\n');
    const r = b.finding({ ruleId: 'r', severity: 'error', message: 'm', at: { file: 'c.yml', start: b.span('c.yml', 'web').start, end: 30 } }).build();
    expect(formatGithub(r, options())).toBe('::error file=c.yml,line=2,endLine=3,title=arena-lint (r)::m\n');
  });

  it('escapes the message and every property so the runner cannot split or inject a command', () => {
    const path = 'a,b/x:y%z.conf';
    const b = new ResultBuilder().file(path, 'v\n');
    const message = '100% of 5 workers:\r\nline two, still ::error';
    const r = b.finding({ ruleId: 'r', severity: 'warning', message, at: b.span(path, 'v') }).build();
    expect(formatGithub(r, options({ cwdRelativeRoot: 'd,1' }))).toBe(
      '::warning file=d%2C1/a%2Cb/x%3Ay%25z.conf,line=1,col=1,endLine=1,endColumn=2,title=arena-lint (r)::100%25 of 5 workers:%0D%0Aline two, still ::error\n',
    );
  });
});

describe('escaping', () => {
  it('encodes % first so escapes are not escaped twice', () => {
    expect(escapeData('%0A\n')).toBe('%250A%0A');
    expect(escapeData('a:b,c\r')).toBe('a:b,c%0D');
    expect(escapeProperty('a:b,c%\r\n')).toBe('a%3Ab%2Cc%25%0D%0A');
  });
});
