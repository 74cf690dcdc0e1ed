import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { plainAndExpected, RULE_FIXTURES, subdirs } from './helpers/fixtures.js';

// fixtures/rules/<rule-id>/<valid-*|invalid-*>/ is a mini stack; expected.txt holds that rule's findings.
describe('rule fixtures', () => {
  for (const id of subdirs(RULE_FIXTURES)) {
    describe(id, () => {
      for (const c of subdirs(join(RULE_FIXTURES, id))) {
        it(c, () => {
          const { actual, expected } = plainAndExpected(join(RULE_FIXTURES, id, c), id);
          expect(actual).toBe(expected);
          if (c.startsWith('valid')) expect(actual).toBe('');
          else {
            expect(actual).not.toBe('');
            for (const line of actual.split('\n').filter((l) => l && !l.startsWith('  '))) expect(line).toMatch(new RegExp(`\\[${id}\\]$`));
          }
        });
      }
    });
  }
});

describe('every rule is tested and documented', () => {
  const ids = RULES.map((r) => r.meta.id);
  it('has unique ids in kebab-case', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
  for (const rule of RULES) {
    it(`${rule.meta.id} has a firing and a silent fixture`, () => {
      const cases = subdirs(join(RULE_FIXTURES, rule.meta.id));
      expect(cases.some((c) => c.startsWith('invalid'))).toBe(true);
      expect(cases.some((c) => c.startsWith('valid'))).toBe(true);
    });
    it(`${rule.meta.id} describes itself`, () => {
      expect(rule.meta.description.length).toBeGreaterThan(20);
      expect(rule.meta.docs.what.length).toBeGreaterThan(40);
      expect(rule.meta.docs.why.length).toBeGreaterThan(40);
    });
  }
  it('no fixture folder names an unknown rule', () => {
    for (const id of subdirs(RULE_FIXTURES)) expect(ids).toContain(id);
  });
});
