import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { jobSummary, pullRequestSummary, SUMMARY_LIMIT } from '../../src/action/main.js';
import { check } from '../../src/engine/run.js';
import { RULES as REAL_RULES } from '../../rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
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

describe('pullRequestSummary', () => {
  it("stays under GitHub's size limit, cutting the existing findings before the new ones", () => {
    const head = check({ dir: join(FIXTURES, 'arena-current'), rules: REAL_RULES });
    const one = head.result.findings[0]!;
    const many = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ ...one, message: `${tag} ${i} ${'x'.repeat(500)}` }));
    const fresh = many(300, 'new');
    const existing = many(3000, 'old');
    const text = pullRequestSummary(
      { ...head.result, findings: [...fresh, ...existing] },
      { pr: { baseSha: 'a'.repeat(40) }, fresh, existing },
      { ...opts, rules: REAL_RULES.map((r) => r.meta) },
      head,
      '.',
    );
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    // Every new finding is still listed; the existing ones are cut, with a count.
    expect(text.split('\n').filter((l) => l.includes('| new ')).length).toBe(300);
    const shownOld = text.split('\n').filter((l) => l.includes('| old ')).length;
    expect(shownOld).toBeLessThan(3000);
    expect(text).toContain(`${shownOld} of 3000 shown (GitHub's step summary limit).`);
    expect(text).toContain('<summary>Already on the base branch (3000)</summary>');
  });
});
