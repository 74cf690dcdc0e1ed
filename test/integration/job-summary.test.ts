import { describe, expect, it } from 'vitest';
import { jobSummary, SUMMARY_LIMIT } from '../../src/action/main.js';
import { COMPOSE, ResultBuilder, RULES } from '../reporters/build-result.js';

const opts = { color: false, rules: RULES, version: '0.0.0' };
const CAPACITY = '## arena-lint capacity\n\n| Tier | Workers |\n|---|---:|\n| web | 8 |\n';

describe('jobSummary', () => {
  it('is the findings table followed by the capacity report', () => {
    const b = new ResultBuilder().file('docker-compose.yml', COMPOSE).stack('docker-compose.yml', ['docker-compose.yml']);
    b.finding({ ruleId: 'pgbouncer-client-capacity', severity: 'error', message: '480 > 300', at: b.span('docker-compose.yml', 'replicas: 15'), stack: 'docker-compose.yml' });
    const text = jobSummary(b.build(), opts, CAPACITY);
    expect(text.indexOf('`pgbouncer-client-capacity`')).toBeGreaterThan(0);
    expect(text.indexOf('## arena-lint capacity')).toBeGreaterThan(text.indexOf('`pgbouncer-client-capacity`'));
    expect(text).not.toContain('[!NOTE]');
  });

  it("stays under GitHub's size limit by listing fewer findings and saying how many it left out", () => {
    const b = new ResultBuilder().file('docker-compose.yml', COMPOSE).stack('docker-compose.yml', ['docker-compose.yml']);
    const total = 3000;
    for (let i = 0; i < total; i++) {
      b.finding({ ruleId: 'pgbouncer-client-capacity', severity: 'warning', message: `finding ${i} ${'x'.repeat(500)}`, at: b.span('docker-compose.yml', 'replicas: 15'), stack: 'docker-compose.yml' });
    }
    const text = jobSummary(b.build(), opts, CAPACITY);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    const listed = text.split('\n').filter((l) => l.includes('`pgbouncer-client-capacity`')).length;
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThan(total);
    // The note gives the totals, since the table's own counts cover only the rows shown.
    expect(text).toMatch(new RegExp(`^> \\[!NOTE\\]\n> This summary lists ${listed} of ${total} findings \\(0 errors, ${total} warnings in all\\)`));
    expect(text).toContain(`| docker-compose.yml | 0 | ${listed} | 0 |`);
    expect(text).toContain('## arena-lint capacity');
  });
});
