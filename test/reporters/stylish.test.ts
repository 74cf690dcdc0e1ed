import { describe, expect, it } from 'vitest';
import { codeFrame, formatStylish } from '../../src/reporters/stylish.js';
import { toLocated } from '../../src/reporters/locate.js';
import { options, ResultBuilder, sampleResult, stripAnsi } from './build-result.js';

const EXPECTED = `deploy/docker-compose.yml
  deploy/docker-compose.yml:4:37  warning  gunicorn runs 4 threads per worker  gunicorn-threads
      3 |     image: app
    > 4 |     command: gunicorn app.wsgi -w 8 --threads 4
        |                                     ^^^^^^^^^^^
      5 |     deploy:

  deploy/docker-compose.yml:6:17  error    15 replicas x 8 workers x 4 threads = 480 client connections > max_client_conn 300 (pgbouncer/pgbouncer.ini:3)  pgbouncer-client-capacity
      5 |     deploy:
    > 6 |       replicas: 15
        |                 ^^
      7 |   pgbouncer:
    ↳ deploy/pgbouncer/pgbouncer.ini:3:19 max_client_conn is set here
    hint: Raise max_client_conn to at least 480.

deploy/nginx/nginx.conf
  deploy/nginx/nginx.conf:1:1  info  upstream "web" has no keepalive  nginx-upstream-keepalive
    > 1 | upstream web {
        | ^^^^^^^^^^^^
      2 |     server web:8000;

✖ 3 problems (1 error, 1 warning, 1 info)
`;

describe('formatStylish', () => {
  it('groups by file with aligned columns, code frames, related locations and hints', () => {
    expect(formatStylish(sampleResult(), options({ cwdRelativeRoot: 'deploy' }))).toBe(EXPECTED);
  });

  it('writes no escape codes without colour', () => {
    expect(formatStylish(sampleResult(), options())).not.toMatch(/\u001b/);
  });

  it('with colour prints the same text, painted by severity', () => {
    const out = formatStylish(sampleResult(), options({ color: true, cwdRelativeRoot: 'deploy' }));
    expect(stripAnsi(out)).toBe(EXPECTED);
    expect(out).toContain('\u001b[4mdeploy/docker-compose.yml\u001b[24m');
    expect(out).toContain('\u001b[31merror\u001b[39m    15 replicas');
    expect(out).toContain('\u001b[33mwarning\u001b[39m');
    expect(out).toContain('\u001b[34minfo\u001b[39m');
    expect(out).toContain('\u001b[1m\u001b[31m✖ 3 problems (1 error, 1 warning, 1 info)\u001b[39m\u001b[22m');
  });

  it('paints the summary by the worst severity present', () => {
    const b = new ResultBuilder().file('a.ini', 'x = 1\n');
    const warnOnly = b.finding({ ruleId: 'r', severity: 'warning', message: 'm', at: b.span('a.ini', 'x') }).build();
    expect(formatStylish(warnOnly, options({ color: true }))).toContain('\u001b[1m\u001b[33m✖ 1 problem (0 errors, 1 warning, 0 infos)');
  });

  it('prints the clean message when there is nothing to report', () => {
    const clean = new ResultBuilder().stack('docker-compose.yml', ['docker-compose.yml', 'nginx.conf']).build();
    expect(formatStylish(clean, options())).toBe('✔ 1 stack, 2 files checked, no problems\n');
    expect(formatStylish(clean, options({ color: true }))).toBe('\u001b[1m\u001b[32m✔ 1 stack, 2 files checked, no problems\u001b[39m\u001b[22m\n');
  });
});

describe('codeFrame', () => {
  const text = 'services:\n  web:\n    image: app\n    deploy:\n      replicas: 15\n  db:\n    image: postgres\n';
  const b = new ResultBuilder().file('c.yml', text);
  const frameOf = (start: number, end: number) => {
    const r = b.finding({ ruleId: 'r', severity: 'error', message: 'm', at: { file: 'c.yml', start, end } }).build();
    const f = r.findings[r.findings.length - 1]!;
    return codeFrame(r.sources.get('c.yml'), toLocated(r, f));
  };

  it('marks every line of a short multi-line range up to its exclusive end', () => {
    const start = text.indexOf('web');
    const end = text.indexOf('app') + 3;
    expect(frameOf(start, end)).toBe(['  1 | services:', '> 2 |   web:', '    |   ^^^^', '> 3 |     image: app', '    | ^^^^^^^^^^^^^^', '  4 |     deploy:'].join('\n'));
  });

  it('marks only the first line of a long block, so the message stays near its code', () => {
    const start = text.indexOf('web');
    const end = text.indexOf('  db:');
    expect(frameOf(start, end)).toBe(['  1 | services:', '> 2 |   web:', '    |   ^^^^', '  3 |     image: app'].join('\n'));
  });

  it('shows a caret for an insertion point and no phantom line after the final newline', () => {
    expect(frameOf(text.length - 1, text.length - 1)).toBe(['  6 |   db:', '> 7 |     image: postgres', '    |                    ^'].join('\n'));
  });

  it('numbers lines as arena-lint does even when a line holds a lone carriage return', () => {
    const odd = new ResultBuilder().file('o.conf', 'a\rb\nkey value;\n');
    const r = odd.finding({ ruleId: 'r', severity: 'error', message: 'm', at: odd.span('o.conf', 'value') }).build();
    expect(codeFrame(r.sources.get('o.conf'), toLocated(r, r.findings[0]!))).toBe(['  1 | a b', '> 2 | key value;', '    |     ^^^^^'].join('\n'));
  });

  it('has no frame for a file that was never read', () => {
    const r = new ResultBuilder().finding({ ruleId: 'r', severity: 'error', message: 'm', at: { file: 'gone', start: 0, end: 1 } }).build();
    expect(codeFrame(r.sources.get('gone'), toLocated(r, r.findings[0]!))).toBeUndefined();
    expect(formatStylish(r, options())).toBe('gone\n  gone:1:1  error  m  r\n\n✖ 1 problem (1 error, 0 warnings, 0 infos)\n');
  });
});
