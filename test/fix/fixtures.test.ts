import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { writeChanges } from '../../src/fix/apply.js';
import { fixLoop } from '../../src/fix/loop.js';
import { RULES } from '../../rules/index.js';
import { FIXED_TREE, FIXTURE_IGNORE, RULE_FIXTURES, subdirs, UPDATE } from '../helpers/fixtures.js';

// fixtures/rules/<id>/invalid-*/expected.fixed/ holds each file `check --fix` changes, as it must read
// afterwards (ESLint's `output`); files not in it must stay byte for byte as they are.
const tmpRoot = mkdtempSync(join(tmpdir(), 'arena-fix-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function filesUnder(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p, base) : [relative(base, p).split('\\').join('/')];
  }).sort();
}

function copyCase(src: string): string {
  const dest = mkdtempSync(join(tmpRoot, 'case-'));
  cpSync(src, dest, { recursive: true, filter: (p) => !p.startsWith(join(src, FIXED_TREE)) && p !== join(src, 'expected.txt') });
  return dest;
}

function countByRule(findings: readonly Finding[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of findings) out.set(f.ruleId, (out.get(f.ruleId) ?? 0) + 1);
  return out;
}

const fixable = RULES.filter((r) => r.meta.fixable);

describe('--fix on each fixable rule\'s firing fixtures', () => {
  it('some rules are fixable', () => expect(fixable.length).toBeGreaterThanOrEqual(8));
  for (const rule of fixable) {
    const id = rule.meta.id;
    const cases = subdirs(join(RULE_FIXTURES, id)).filter((c) => c.startsWith('invalid'));
    it(`${id} has a firing fixture with an expected.fixed tree`, () => {
      expect(cases.some((c) => existsSync(join(RULE_FIXTURES, id, c, FIXED_TREE)) || UPDATE)).toBe(true);
    });
    for (const c of cases) {
      const src = join(RULE_FIXTURES, id, c);
      if (!existsSync(join(src, FIXED_TREE)) && !UPDATE) continue;
      it(`${id}/${c}: fixed as expected.fixed says, the rule silent, no new finding, a second run changes nothing`, () => {
        const dir = copyCase(src);
        const before = fixLoop({ dir, rules: RULES, ignore: FIXTURE_IGNORE }, () => []).final.result.findings;
        const first = fixLoop({ dir, rules: RULES, ignore: FIXTURE_IGNORE });
        // UPDATE_EXPECTED=1 writes a tree only for the cases --fix makes silent; the others are not fixable as a whole.
        if (UPDATE && (first.changes.length === 0 || first.final.result.findings.some((f) => f.ruleId === id))) {
          rmSync(join(src, FIXED_TREE), { recursive: true, force: true });
          return;
        }
        expect(before.some((f) => f.ruleId === id && f.fix)).toBe(true);
        expect(first.changes.length).toBeGreaterThan(0);
        writeChanges(dir, first.changes);
        const changed = first.changes.map((ch) => ch.path).sort();
        if (UPDATE) {
          rmSync(join(src, FIXED_TREE), { recursive: true, force: true });
          for (const p of changed) {
            mkdirSync(dirname(join(src, FIXED_TREE, p)), { recursive: true });
            writeFileSync(join(src, FIXED_TREE, p), readFileSync(join(dir, p)));
          }
        }
        expect(changed).toEqual(filesUnder(join(src, FIXED_TREE)));
        for (const p of filesUnder(dir)) {
          const expected = changed.includes(p) ? join(src, FIXED_TREE, p) : join(src, p);
          expect(readFileSync(join(dir, p), 'utf8'), p).toBe(readFileSync(expected, 'utf8'));
        }
        const after = first.final.result.findings;
        expect(after.filter((f) => f.ruleId === id).map((f) => f.message)).toEqual([]);
        const was = countByRule(before);
        for (const [other, n] of countByRule(after)) expect(n, `${other} after --fix`).toBeLessThanOrEqual(was.get(other) ?? 0);
        const second = fixLoop({ dir, rules: RULES, ignore: FIXTURE_IGNORE });
        expect(second.changes).toEqual([]);
        expect(second.applied).toBe(0);
      });
    }
  }
});
