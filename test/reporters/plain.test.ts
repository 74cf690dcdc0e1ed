import { describe, expect, it } from 'vitest';
import { formatPlain } from '../../src/reporters/plain.js';
import { ResultBuilder, sampleResult } from './build-result.js';

describe('formatPlain', () => {
  it('writes the expected.txt format: root-relative, one line per finding, related indented', () => {
    expect(formatPlain(sampleResult())).toBe(
      [
        'docker-compose.yml:4:37 warning gunicorn runs 4 threads per worker [gunicorn-threads]',
        'docker-compose.yml:6:17 error 15 replicas x 8 workers x 4 threads = 480 client connections > max_client_conn 300 (pgbouncer/pgbouncer.ini:3) [pgbouncer-client-capacity]',
        '  related pgbouncer/pgbouncer.ini:3:19 max_client_conn is set here',
        'nginx/nginx.conf:1:1 info upstream "web" has no keepalive [nginx-upstream-keepalive]',
        '',
      ].join('\n'),
    );
  });

  it('is empty for a clean run, so a valid fixture has an empty expected.txt', () => {
    expect(formatPlain(new ResultBuilder().stack('c.yml', ['c.yml']).build())).toBe('');
  });

  it('sorts findings numerically by position, then rule, and related locations by position', () => {
    const text = Array.from({ length: 12 }, (_, i) => `k${i + 1} = v\n`).join('');
    const b = new ResultBuilder().file('z.ini', 'z\n').file('a.ini', text);
    const r = b
      .finding({ ruleId: 'b-rule', severity: 'error', message: 'm', at: b.span('a.ini', 'k10') })
      .finding({ ruleId: 'x', severity: 'info', message: 'm', at: b.span('z.ini', 'z') })
      .finding({
        ruleId: 'c-rule',
        severity: 'error',
        message: 'm',
        at: b.span('a.ini', 'k9'),
        related: [b.related('z.ini', 'z', 'second'), b.related('a.ini', 'k12', 'first')],
      })
      .finding({ ruleId: 'a-rule', severity: 'warning', message: 'm', at: b.span('a.ini', 'k10') })
      .build();
    expect(formatPlain(r)).toBe(
      [
        'a.ini:9:1 error m [c-rule]',
        '  related a.ini:12:1 first',
        '  related z.ini:1:1 second',
        'a.ini:10:1 warning m [a-rule]',
        'a.ini:10:1 error m [b-rule]',
        'z.ini:1:1 info m [x]',
        '',
      ].join('\n'),
    );
  });
});
